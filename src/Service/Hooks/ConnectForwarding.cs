using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using Switchboard.Actors.Hooks;

namespace Switchboard.Service.Hooks;

/// <summary>
/// What a connect hook sees of the client (PROTOCOL.md "Application hooks"): its address, and only the headers and cookies
/// named in <c>Hooks:Connect:ForwardHeaders</c> / <c>ForwardCookies</c>. The one reading of an upgrade's headers and
/// <c>Cookie</c> header for both upgrade paths, which hand it the headers they parsed. Values are passed as the client sent
/// them and never logged.
/// </summary>
public sealed class ConnectForwarding(HookOptions options)
{
    private static readonly IReadOnlyDictionary<string, string> None = new Dictionary<string, string>();

    private readonly IReadOnlyList<string> _headers = options.ForwardHeaders ?? [];
    private readonly HashSet<string> _cookies = new(options.ForwardCookies ?? [], StringComparer.Ordinal);

    public HookClient ClientOf(IHeaderDictionary headers, IPAddress? address) =>
        new(address?.ToString(), Headers(headers), Cookies(headers));

    // A header the client sent more than once reaches the hook as one value, its values joined as HTTP joins them.
    private IReadOnlyDictionary<string, string> Headers(IHeaderDictionary headers)
    {
        if (_headers.Count == 0)
            return None;
        var forwarded = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in _headers)
        {
            if (headers.TryGetValue(name, out var values) && values.Count > 0)
                forwarded[name] = values.ToString();
        }
        return forwarded;
    }

    private IReadOnlyDictionary<string, string> Cookies(IHeaderDictionary headers)
    {
        if (_cookies.Count == 0 || !headers.TryGetValue(HeaderNames.Cookie, out var values))
            return None;
        var forwarded = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var header in values)
            Read(header, forwarded);
        return forwarded;
    }

    /// <summary>
    /// The cookies of one <c>Cookie</c> header (RFC 6265 §5.4: <c>name=value</c> pairs separated by <c>;</c>) that are
    /// forwarded, into <paramref name="forwarded"/>; a name given twice keeps its first value (a browser sends the cookie of
    /// the more specific path first). A pair that is not <c>name=value</c> is skipped, not the header.
    /// </summary>
    private void Read(string? header, Dictionary<string, string> forwarded)
    {
        foreach (var pair in (header ?? "").Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=');
            if (eq <= 0)
                continue;
            var name = pair[..eq].TrimEnd();
            if (_cookies.Contains(name))
                forwarded.TryAdd(name, pair[(eq + 1)..].TrimStart());
        }
    }
}

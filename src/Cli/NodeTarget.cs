namespace Switchboard.Cli;

/// <summary>Which node to talk to and how: the global options, resolved once per command.</summary>
public sealed record NodeTarget(Uri Node, string Prefix, string? Key, bool Json)
{
    public const string DefaultNode = "http://localhost:8080";
    public const string DefaultPrefix = "/ws";

    /// <summary>The absolute address of <paramref name="route"/> (a path under the hub's prefix) with its query.</summary>
    public Uri Resolve(string route, IEnumerable<KeyValuePair<string, string?>>? query = null)
    {
        var prefix = "/" + Prefix.Trim('/');
        var text = (prefix == "/" ? "" : prefix) + route;
        var pairs = query?.Where(p => p.Value is not null).Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value!)}").ToList();
        if (pairs is { Count: > 0 })
            text += "?" + string.Join('&', pairs);
        return new Uri(Node, text);
    }
}

using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;

namespace Switchboard.Service.Http;

/// <summary>
/// The request line and headers of a plain HTTP/1.1 <c>GET</c> to the hub's path, read from the
/// first bytes of a connection. Anything this reader is unsure of (another method or path, a body,
/// folded or non-ASCII headers, no Host) is <see cref="Scan.NotOurs"/>, left for Kestrel to answer.
/// </summary>
public sealed record UpgradeRequest(IQueryCollection Query, IHeaderDictionary Headers)
{
    public enum Scan
    {
        /// <summary>The bytes so far may be the start of a request to the path.</summary>
        NeedMore,
        /// <summary>Not a request this reader takes.</summary>
        NotOurs,
        /// <summary>A complete request head to the path.</summary>
        Ready,
    }

    private static ReadOnlySpan<byte> HeadEnd => "\r\n\r\n"u8;
    private static ReadOnlySpan<byte> Version => " HTTP/1.1"u8;

    /// <summary>The bytes a request to <paramref name="path"/> starts with.</summary>
    public static byte[] StartOf(string path) => Encoding.ASCII.GetBytes("GET " + path);

    /// <param name="start">From <see cref="StartOf"/>.</param>
    /// <param name="head">The request's head, through its blank line, when <see cref="Scan.Ready"/>.</param>
    public static Scan TryRead(ReadOnlySpan<byte> bytes, ReadOnlySpan<byte> start, out UpgradeRequest? request, out int head)
    {
        request = null;
        head = 0;
        var shared = Math.Min(bytes.Length, start.Length);
        if (!bytes[..shared].SequenceEqual(start[..shared]))
            return Scan.NotOurs;
        if (bytes.Length == start.Length)
            return Scan.NeedMore;
        if (bytes.Length > start.Length && bytes[start.Length] is not ((byte)' ' or (byte)'?'))
            return Scan.NotOurs;
        var end = bytes.IndexOf(HeadEnd);
        if (end < 0)
            return Scan.NeedMore;
        head = end + HeadEnd.Length;

        var lines = bytes[..(end + 2)];
        var lineEnd = lines.IndexOf("\r\n"u8);
        var requestLine = lines[..lineEnd];
        if (!requestLine.EndsWith(Version))
            return Scan.NotOurs;
        var target = requestLine[4..^Version.Length];
        if (!IsVisibleAscii(target))
            return Scan.NotOurs;
        var headers = ReadHeaders(lines[(lineEnd + 2)..]);
        if (headers is null || headers.Host.Count != 1 || headers.ContainsKey("Content-Length") || headers.ContainsKey("Transfer-Encoding"))
            return Scan.NotOurs;
        var query = target.IndexOf((byte)'?') is var q and >= 0
            ? new QueryCollection(QueryHelpers.ParseQuery(Encoding.ASCII.GetString(target[q..])))
            : QueryCollection.Empty;
        request = new UpgradeRequest(query, headers);
        return Scan.Ready;
    }

    // Each line "Name: value\r\n"; null for anything Kestrel would judge more carefully.
    private static IHeaderDictionary? ReadHeaders(ReadOnlySpan<byte> lines)
    {
        var headers = new HeaderDictionary();
        while (lines.Length > 0)
        {
            var lineEnd = lines.IndexOf("\r\n"u8);
            var line = lines[..lineEnd];
            lines = lines[(lineEnd + 2)..];
            var colon = line.IndexOf((byte)':');
            if (colon <= 0 || !IsVisibleAscii(line[..colon]) || !IsVisibleAscii(line[(colon + 1)..], spaces: true))
                return null;
            var name = Encoding.ASCII.GetString(line[..colon]);
            var value = Encoding.ASCII.GetString(line[(colon + 1)..].Trim(" \t"u8));
            headers[name] = headers.TryGetValue(name, out var earlier) ? StringValues.Concat(earlier, value) : value;
        }
        return headers;
    }

    private static bool IsVisibleAscii(ReadOnlySpan<byte> bytes, bool spaces = false)
    {
        foreach (var b in bytes)
        {
            if (b is > 0x20 and < 0x7F || spaces && b is (byte)' ' or (byte)'\t')
                continue;
            return false;
        }
        return true;
    }
}

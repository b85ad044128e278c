using System.Buffers;

namespace Switchboard.Service.RateLimiting;

/// <summary>
/// The one spelling of a path that the limiter keys buckets by and looks settings up with (PerRouteRates, SkipPaths,
/// the ip+route identifier), for requests and configured routes alike: case-folded, repeated slashes collapsed, dot
/// segments resolved, no trailing slash but the root's. Routing answers <c>/WS/Message/</c> at <c>/ws/message</c>,
/// so a limiter that told such spellings apart could be escaped by respelling a path.
/// </summary>
public static class RoutePath
{
    // Two copies of a path this long fit on the stack; longer ones fold in a pooled buffer.
    private const int StackChars = 512;

    /// <summary>The normalised path: <paramref name="path"/> itself, not a copy, when it is normalised already.</summary>
    public static string Normalize(string? path)
    {
        if (string.IsNullOrEmpty(path))
            return "/";
        if (IsNormal(path))
            return path;
        // Request paths always start with '/'; a configured route may not. Folding in place needs the leading slash.
        return Fold(path[0] == '/' ? path : "/" + path);
    }

    // One pass without allocating: most request paths are normalised already.
    private static bool IsNormal(string path)
    {
        if (path[0] != '/')
            return false;
        if (path.Length == 1)
            return true;
        if (path[^1] == '/')
            return false;
        for (var i = 1; i < path.Length; i++)
        {
            var c = path[i];
            // Non-ASCII may fold, and a segment starting with '.' may be a dot segment: Fold decides.
            if (c is >= 'A' and <= 'Z' or > '\x7F' || (path[i - 1] == '/' && c is '/' or '.'))
                return false;
        }
        return true;
    }

    private static string Fold(string path)
    {
        char[]? rented = null;
        Span<char> buffer = path.Length <= StackChars / 2
            ? stackalloc char[StackChars]
            : rented = ArrayPool<char>.Shared.Rent(path.Length * 2);
        try
        {
            // Routing compares paths with OrdinalIgnoreCase, which upper-cases: lower-casing the upper case folds every
            // pair it equates (σ and ς) where lower-casing alone would not. Beyond the BMP, OrdinalIgnoreCase cases by .NET's
            // own Unicode tables and this by the system's ICU: a script newer than that ICU (Garay before ICU 76) is not folded.
            var upper = buffer[..path.Length];
            var folded = buffer.Slice(path.Length, path.Length);
            path.AsSpan().ToUpperInvariant(upper);
            upper.ToLowerInvariant(folded);
            var normal = folded[..ResolveSegments(folded)];
            if (normal.IsEmpty)
                return "/";
            return normal.SequenceEqual(path) ? path : new string(normal);
        }
        finally
        {
            if (rented is not null)
                ArrayPool<char>.Shared.Return(rented);
        }
    }

    // Collapses slashes, resolves "." and ".." (never above the root) and drops a trailing slash, in place: each kept
    // segment moves left, behind its own slash. Returns the length kept.
    private static int ResolveSegments(Span<char> path)
    {
        var length = 0;
        var i = 0;
        while (i < path.Length)
        {
            if (path[i] == '/')
            {
                i++;
                continue;
            }
            var end = path[i..].IndexOf('/') is var slash and >= 0 ? i + slash : path.Length;
            var segment = path[i..end];
            if (segment is "..")
                length = Math.Max(path[..length].LastIndexOf('/'), 0);
            else if (segment is not ".")
            {
                path[length++] = '/';
                segment.CopyTo(path[length..]);
                length += segment.Length;
            }
            i = end;
        }
        return length;
    }
}

using System.Buffers;
using System.Text;

namespace Switchboard.Service.Logging;

/// <summary>
/// What a secret looks like in a line of text, and the line without it. Three names carry one, in any case:
/// the <c>access_token</c> query parameter (also percent-encoded, <c>access%5Ftoken</c>), and the
/// <c>Authorization</c> and <c>X-API-Key</c> headers. A name followed by <c>=</c> or <c>:</c> (quoted or not)
/// has its value replaced with <see cref="Redacted"/>; a name without a separator is prose and stays.
/// </summary>
public static class SecretRedactor
{
    public const string Redacted = "[redacted]";

    private static readonly string[] QueryNames = ["access_token", "access%5Ftoken"];
    private static readonly string[] HeaderNames = ["authorization", "x-api-key"];

    // One vectorized search for all four names: the whole cost of a line that holds none of them.
    private static readonly SearchValues<string> Names =
        SearchValues.Create([.. QueryNames, .. HeaderNames], StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether <paramref name="text"/> names a secret at all; false is the common, allocation-free answer.</summary>
    public static bool MayHoldSecret(ReadOnlySpan<char> text) => text.IndexOfAny(Names) >= 0;

    /// <summary>Whether a structured value under this key is a secret whole (a header or parameter named so).</summary>
    public static bool IsSecretName(string name) =>
        name.Length is >= 9 and <= 14 && (QueryNames.Contains(name, StringComparer.OrdinalIgnoreCase)
                                          || HeaderNames.Contains(name, StringComparer.OrdinalIgnoreCase));

    /// <summary>
    /// <paramref name="text"/> with every secret value replaced; the same instance when there is none.
    /// Each value taken out is added to <paramref name="removed"/>, so that a caller can take it out elsewhere too.
    /// </summary>
    public static string Redact(string text, List<string>? removed = null)
    {
        var at = text.AsSpan().IndexOfAny(Names);
        if (at < 0)
            return text;
        StringBuilder? result = null;
        var copied = 0;
        while (at >= 0)
        {
            var (nameLength, header) = NameAt(text.AsSpan(at));
            var next = at + nameLength;
            if (ValueAfter(text, next, header) is var (start, end) && end > start)
            {
                if (!text.AsSpan(start, end - start).SequenceEqual(Redacted))
                {
                    result ??= new StringBuilder(text.Length);
                    result.Append(text, copied, start - copied).Append(Redacted);
                    copied = end;
                    removed?.Add(text[start..end]);
                }
                next = end;
            }
            at = text.AsSpan(next).IndexOfAny(Names) is var found and >= 0 ? next + found : -1;
        }
        return result is null ? text : result.Append(text, copied, text.Length - copied).ToString();
    }

    private static (int Length, bool Header) NameAt(ReadOnlySpan<char> text)
    {
        foreach (var name in HeaderNames)
        {
            if (text.StartsWith(name, StringComparison.OrdinalIgnoreCase))
                return (name.Length, true);
        }
        foreach (var name in QueryNames)
        {
            if (text.StartsWith(name, StringComparison.OrdinalIgnoreCase))
                return (name.Length, false);
        }
        throw new InvalidOperationException("IndexOfAny found a name that none of the names starts"); // unreachable
    }

    // The value's bounds after a name that ends at i, or null when no separator follows (the name is prose).
    // Forms: ?access_token=v&..., "access_token":"v", Authorization: Bearer v (to the end of the line),
    // Authorization=Bearer v, X-API-Key='v'. A quoted value ends at its quote; an unquoted query value at
    // &, #, a quote, <, > or white space; an unquoted header value after ':' at the end of the line.
    private static (int Start, int End)? ValueAfter(string text, int i, bool header)
    {
        if (i < text.Length && text[i] == '\\')
            i++; // the name was a JSON-escaped quoted key
        if (i < text.Length && text[i] is '"' or '\'')
            i++;
        i = SkipBlanks(text, i);
        if (i >= text.Length || text[i] is not (':' or '='))
            return null;
        var separator = text[i];
        i = SkipBlanks(text, i + 1);
        if (i < text.Length && text[i] == '\\' && i + 1 < text.Length && text[i + 1] is '"' or '\'')
            i++;
        if (i < text.Length && text[i] is '"' or '\'')
        {
            var quote = text[i];
            var start = i + 1;
            var end = start;
            while (end < text.Length && text[end] != quote && text[end] is not ('\r' or '\n'))
                end++;
            if (end > start && text[end - 1] == '\\' && end < text.Length)
                end--; // the escaping backslash of \" stays with the quote
            return (start, end);
        }
        if (header && separator == ':')
        {
            var end = i;
            while (end < text.Length && text[end] is not ('\r' or '\n'))
                end++;
            return (i, TrimEnd(text, i, end));
        }
        var valueStart = i;
        if (header)
            i = SkipScheme(text, i); // Authorization=Bearer v: the scheme and its credentials go together
        while (i < text.Length && !EndsQueryValue(text[i]))
            i++;
        return (valueStart, i);
    }

    private static bool EndsQueryValue(char c) => c is '&' or '#' or '"' or '\'' or '<' or '>' || char.IsWhiteSpace(c) || char.IsControl(c);

    private static int SkipBlanks(string text, int i)
    {
        while (i < text.Length && text[i] is ' ' or '\t')
            i++;
        return i;
    }

    private static int TrimEnd(string text, int start, int end)
    {
        while (end > start && text[end - 1] is ' ' or '\t')
            end--;
        return end;
    }

    private static int SkipScheme(string text, int i)
    {
        var j = i;
        while (j < text.Length && char.IsAsciiLetter(text[j]))
            j++;
        return j > i && j + 1 < text.Length && text[j] == ' ' && !char.IsWhiteSpace(text[j + 1]) ? j + 1 : i;
    }
}

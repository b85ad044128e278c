using System.Security.Cryptography;
using System.Text;

namespace Switchboard.Actors.Namespaces;

/// <summary>
/// The namespaces a node loaded: the rules of each, the rules of groups outside them, and whether a group in an
/// unconfigured namespace is refused. One table per configuration; a reload makes a new one.
/// </summary>
public sealed class NamespaceTable
{
    public const int MaxNameLength = 32;

    public static readonly NamespaceTable Empty = new(NamespaceRules.Defaults, new Dictionary<string, NamespaceRules>(), strict: false);

    public NamespaceTable(NamespaceRules @default, IReadOnlyDictionary<string, NamespaceRules> rules, bool strict)
    {
        Default = @default;
        Rules = rules;
        Strict = strict;
        Fingerprint = FingerprintOf(this);
    }

    public NamespaceRules Default { get; }

    public IReadOnlyDictionary<string, NamespaceRules> Rules { get; }

    public bool Strict { get; }

    /// <summary>A short hash of everything above, equal on nodes that loaded the same table.</summary>
    public string Fingerprint { get; }

    /// <summary>
    /// The namespace of <paramref name="group"/>: the part before its first <c>:</c>, when that is 1-32 lower-case ASCII
    /// letters, digits, <c>_</c> or <c>-</c>; else null.
    /// </summary>
    public static string? NamespaceOf(string group)
    {
        var colon = group.IndexOf(':');
        if (colon <= 0 || colon > MaxNameLength)
            return null;
        var name = group.AsSpan(0, colon);
        foreach (var c in name)
        {
            if (!IsNameChar(c))
                return null;
        }
        return group[..colon];
    }

    /// <summary>Whether <paramref name="name"/> may name a namespace.</summary>
    public static bool IsValidName(string name) => name.Length is > 0 and <= MaxNameLength && name.All(IsNameChar);

    /// <summary>The rules that apply to <paramref name="group"/>: its namespace's, or the default.</summary>
    public NamespaceRules For(string group) =>
        NamespaceOf(group) is { } name && Rules.TryGetValue(name, out var rules) ? rules : Default;

    /// <summary>
    /// With <see cref="Strict"/> on, whether <paramref name="group"/> names a namespace that is not configured. A group
    /// without a namespace follows the default rules and is not refused.
    /// </summary>
    public bool IsUnknown(string group) =>
        Strict && NamespaceOf(group) is { } name && !Rules.ContainsKey(name);

    private static bool IsNameChar(char c) => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '_' or '-';

    private static string FingerprintOf(NamespaceTable table)
    {
        var text = new StringBuilder().Append("strict=").Append(table.Strict).Append(";default=").Append(table.Default);
        foreach (var (name, rules) in table.Rules.OrderBy(r => r.Key, StringComparer.Ordinal))
            text.Append(';').Append(name).Append('=').Append(rules);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())).AsSpan(0, 6));
    }
}

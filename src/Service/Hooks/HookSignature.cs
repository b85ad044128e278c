using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Switchboard.Service.Hooks;

/// <summary>
/// How a hook call and a batch of lifecycle events are signed (PROTOCOL.md "Application hooks"):
/// <c>X-Switchboard-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex&gt;[,v1=&lt;hex&gt;...]</c>, each <c>v1</c> the HMAC-SHA256 of
/// <c>&lt;t&gt;.&lt;hook&gt;.&lt;body&gt;</c> keyed with one of <c>Hooks:Secrets</c>, so that a backend can roll its secret. The
/// check a .NET backend makes is here too (<see cref="Verify"/>): docs/hooks.md shows it in other languages.
/// </summary>
public static class HookSignature
{
    public const string HookHeader = "X-Switchboard-Hook";
    public const string SignatureHeader = "X-Switchboard-Signature";

    /// <summary>How old a signature a backend takes: older ones may be replays.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(5);

    /// <summary>The header's value for <paramref name="body"/> sent to <paramref name="hook"/> at <paramref name="unixSeconds"/>.</summary>
    public static string Sign(string hook, ReadOnlySpan<byte> body, IReadOnlyList<byte[]> secrets, long unixSeconds)
    {
        var header = new StringBuilder("t=").Append(unixSeconds.ToString(CultureInfo.InvariantCulture));
        foreach (var secret in secrets)
            header.Append(",v1=").Append(Convert.ToHexStringLower(Mac(secret, unixSeconds, hook, body)));
        return header.ToString();
    }

    /// <summary>
    /// Whether <paramref name="header"/> signs <paramref name="body"/> for <paramref name="hook"/> with <paramref name="secret"/>,
    /// made no more than <see cref="MaxAge"/> before <paramref name="now"/> (nor as far after it).
    /// </summary>
    public static bool Verify(string? header, string hook, ReadOnlySpan<byte> body, byte[] secret, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(header))
            return false;
        long? t = null;
        var signatures = new List<byte[]>();
        foreach (var part in header.Split(','))
        {
            var (key, value) = part.IndexOf('=') is var eq and > 0 ? (part[..eq].Trim(), part[(eq + 1)..].Trim()) : ("", "");
            if (key == "t" && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
                t = seconds;
            else if (key == "v1" && value.Length == 64 && value.All(char.IsAsciiHexDigit))
                signatures.Add(Convert.FromHexString(value));
        }
        if (t is not { } at || Math.Abs(now.ToUnixTimeSeconds() - at) > (long)MaxAge.TotalSeconds)
            return false;
        var expected = Mac(secret, at, hook, body);
        var match = false;
        foreach (var signature in signatures)
            match |= CryptographicOperations.FixedTimeEquals(signature, expected);
        return match;
    }

    private static byte[] Mac(byte[] secret, long unixSeconds, string hook, ReadOnlySpan<byte> body)
    {
        using var mac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, secret);
        mac.AppendData(Encoding.ASCII.GetBytes($"{unixSeconds.ToString(CultureInfo.InvariantCulture)}.{hook}."));
        mac.AppendData(body);
        return mac.GetHashAndReset();
    }
}

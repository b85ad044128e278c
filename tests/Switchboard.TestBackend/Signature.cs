using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Switchboard.TestBackend;

/// <summary>
/// The check a backend makes (docs/hooks.md), written here from the contract rather than taken from the service:
/// <c>t=&lt;unix seconds&gt;,v1=&lt;hex&gt;...</c>, any <c>v1</c> the HMAC-SHA256 of <c>t.hook.body</c>, at most 5 minutes old.
/// </summary>
public static class Signature
{
    public static bool Valid(string? header, string hook, byte[] body, byte[] secret)
    {
        if (header is null)
            return false;
        var parts = header.Split(',').Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToList();
        var t = parts.FirstOrDefault(p => p[0] == "t")?[1];
        if (t is null || !long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || Math.Abs(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - seconds) > 300)
            return false;
        var signed = Encoding.UTF8.GetBytes($"{t}.{hook}.").Concat(body).ToArray();
        var expected = HMACSHA256.HashData(secret, signed);
        return parts.Where(p => p[0] == "v1").Any(p =>
        {
            try { return CryptographicOperations.FixedTimeEquals(Convert.FromHexString(p[1]), expected); }
            catch (FormatException) { return false; }
        });
    }
}

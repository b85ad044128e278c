using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace Switchboard.Contracts;

/// <summary>
/// What an API key is, for the node that checks keys and for <c>sbctl keys new</c> that makes them: its scopes, its
/// bounds, the digest that is compared, and the digest form a node may be given instead of the key
/// (docs/security.md, Keys stored as digests).
/// </summary>
public static class ApiKeys
{
    public const int MinLength = 16;

    /// <summary>The longest key a node takes; longer ones are refused unread.</summary>
    public const int MaxLength = 512;

    /// <summary>What begins a key given to a node as its digest: <c>sha256:</c> and 64 hex digits.</summary>
    public const string DigestPrefix = "sha256:";

    /// <summary>
    /// The header on every answer of a route that takes a key, from a node that has no key configured (protected mode):
    /// a key the caller sent was not checked, and <c>sbctl</c> says so.
    /// </summary>
    public const string NoKeysHeader = "Switchboard-Api-Keys";

    public const string NoKeysValue = "none";

    public static readonly IReadOnlyList<string> Scopes = ["publish", "read", "impersonate", "admin"];

    private static readonly SearchValues<char> HexDigits = SearchValues.Create("0123456789abcdefABCDEF");

    /// <summary>The SHA-256 of the key's UTF-8 bytes into <paramref name="digest"/>: what a node compares, whatever it was given.</summary>
    public static void Digest(ReadOnlySpan<char> key, Span<byte> digest)
    {
        var length = Encoding.UTF8.GetMaxByteCount(key.Length);
        byte[]? rented = null;
        Span<byte> utf8 = length <= 512 ? stackalloc byte[512] : (rented = ArrayPool<byte>.Shared.Rent(length));
        SHA256.HashData(utf8[..Encoding.UTF8.GetBytes(key, utf8)], digest);
        if (rented is not null)
            ArrayPool<byte>.Shared.Return(rented, clearArray: true);
    }

    /// <summary>The digest form of <paramref name="key"/>: <c>sha256:</c> and its digest as 64 lower-case hex digits.</summary>
    public static string DigestForm(string key)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        Digest(key, digest);
        return DigestPrefix + Convert.ToHexStringLower(digest);
    }

    /// <summary>Whether a configured key is given as its digest (begins with <c>sha256:</c>, in any case), well formed or not.</summary>
    public static bool IsDigestForm(string configured) => configured.StartsWith(DigestPrefix, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The digest a configured key stands for: read from the digest form, else computed from the key itself; null for a
    /// digest form whose rest is not 64 hex digits.
    /// </summary>
    public static byte[]? DigestOf(string configured)
    {
        if (!IsDigestForm(configured))
        {
            var digest = new byte[SHA256.HashSizeInBytes];
            Digest(configured, digest);
            return digest;
        }
        var hex = configured.AsSpan(DigestPrefix.Length);
        if (hex.Length != SHA256.HashSizeInBytes * 2 || hex.ContainsAnyExcept(HexDigits))
            return null;
        return Convert.FromHexString(hex);
    }
}

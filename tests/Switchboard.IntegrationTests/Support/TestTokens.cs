using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Switchboard.IntegrationTests.Support;

/// <summary>Tokens minted the way an identity provider would, with the library the service checks them with.</summary>
public static class TestTokens
{
    public const string Secret = "a-test-secret-of-more-than-32-bytes-for-hs256";
    public const string Issuer = "https://issuer.test";
    public const string Audience = "switchboard-tests";

    private static readonly JsonWebTokenHandler Handler = new();

    public static SigningCredentials Hs256(string secret = Secret) =>
        new(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(secret)), SecurityAlgorithms.HmacSha256);

    public static SigningCredentials Rs256(RSA rsa, string? kid = null) =>
        new(new RsaSecurityKey(rsa) { KeyId = kid }, SecurityAlgorithms.RsaSha256);

    public static SigningCredentials Es256(ECDsa ec, string? kid = null) =>
        new(new ECDsaSecurityKey(ec) { KeyId = kid }, SecurityAlgorithms.EcdsaSha256);

    /// <summary>A token for <paramref name="sub"/> valid from a minute ago until <paramref name="expiresIn"/> (default an hour) from now.</summary>
    /// <param name="exp">An <c>exp</c> claim as given, in place of <paramref name="expiresIn"/>: one a DateTime cannot hold.</param>
    /// <param name="header">Parameters added to the JOSE header, such as <c>crit</c>.</param>
    public static string Mint(string? sub, SigningCredentials? signing = null, TimeSpan? expiresIn = null, TimeSpan? notBeforeIn = null,
        string? issuer = Issuer, string? audience = Audience, string[]? groups = null, string? scope = null, long? exp = null,
        IDictionary<string, object>? header = null, IDictionary<string, object>? claims = null)
    {
        var now = DateTime.UtcNow;
        claims = new Dictionary<string, object>(claims ?? new Dictionary<string, object>());
        if (sub is not null)
            claims["sub"] = sub;
        if (groups is not null)
            claims["groups"] = groups;
        if (scope is not null)
            claims["scope"] = scope;
        if (exp is not null)
            claims["exp"] = exp; // the descriptor's Expires would win over it, so that stays null
        var expires = now + (expiresIn ?? TimeSpan.FromHours(1));
        var notBefore = now + (notBeforeIn ?? TimeSpan.FromMinutes(-1));
        return Handler.CreateToken(new SecurityTokenDescriptor
        {
            Claims = claims,
            Issuer = issuer,
            Audience = audience,
            IssuedAt = notBefore < expires ? notBefore : expires.AddSeconds(-1),
            NotBefore = notBefore < expires ? notBefore : expires.AddSeconds(-1),
            Expires = exp is null ? expires : null,
            SigningCredentials = signing ?? Hs256(),
            AdditionalHeaderClaims = header,
        });
    }

    /// <summary>An unsigned token, <c>alg: none</c>, that names <paramref name="sub"/>.</summary>
    public static string Unsigned(string sub)
    {
        var exp = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();
        return $"{Base64Url.Encode("""{"alg":"none","typ":"JWT"}""")}." +
               $"{Base64Url.Encode($$"""{"sub":"{{sub}}","exp":{{exp}},"iss":"{{Issuer}}","aud":"{{Audience}}"}""")}.";
    }

    public static string PublicPem(AsymmetricAlgorithm key) => key.ExportSubjectPublicKeyInfoPem();

    /// <summary>Writes <paramref name="key"/>'s public half to a temporary PEM file; the path.</summary>
    public static string PublicPemFile(AsymmetricAlgorithm key)
    {
        var path = Path.Combine(Path.GetTempPath(), $"switchboard-key-{Guid.NewGuid():N}.pem");
        File.WriteAllText(path, PublicPem(key));
        return path;
    }

    /// <summary>A JWKS document with the public halves of <paramref name="keys"/>.</summary>
    public static string Jwks(params (RSA Rsa, string Kid)[] keys)
    {
        var entries = keys.Select(k =>
        {
            var parameters = k.Rsa.ExportParameters(false);
            return $$"""{"kty":"RSA","use":"sig","alg":"RS256","kid":"{{k.Kid}}","n":"{{Base64UrlEncoder.Encode(parameters.Modulus)}}","e":"{{Base64UrlEncoder.Encode(parameters.Exponent)}}"}""";
        });
        return $$"""{"keys":[{{string.Join(",", entries)}}]}""";
    }

    private static class Base64Url
    {
        public static string Encode(string text) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(text));
    }
}

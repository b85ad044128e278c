using System.Security.Cryptography;
using Switchboard.Service.Auth;

namespace Switchboard.Service.Tests;

/// <summary><c>Auth:Jwt</c>: every bad value stops start-up with a message naming it.</summary>
public sealed class JwtSettingsTests
{
    private const string Secret = "a-secret-of-thirty-two-bytes-or-more!";

    private static AuthOptions Load(Dictionary<string, string?> values) => AuthSettings.Load(values);

    private static string Problems(Dictionary<string, string?> values) => AuthSettings.Refused(values).Message;

    [Fact]
    public void Without_the_section_tokens_are_off() => Assert.Null(Load([]).Jwt);

    [Fact]
    public void A_secret_with_issuer_audience_and_leeway_is_taken()
    {
        var jwt = Load(new()
        {
            ["Auth:Jwt:Secret"] = Secret, ["Auth:Jwt:Issuer"] = "https://id.example", ["Auth:Jwt:Audience"] = "hub",
            ["Auth:Jwt:ClockSkew"] = "5", ["Auth:Jwt:RestrictGroups"] = "true",
        }).Jwt!;
        Assert.Equal(("https://id.example", "hub", TimeSpan.FromSeconds(5), true), (jwt.Issuer, jwt.Audience, jwt.ClockSkew, jwt.RestrictGroups));
        Assert.Equal(["HS256"], SigningKeys.Load(jwt).Algorithms);
    }

    [Theory]
    [InlineData(null, 86400.0)]
    [InlineData("3600", 3600.0)]
    [InlineData("0", null)]
    public void MaxLifetime_is_a_day_unless_set_and_0_lifts_the_bound(string? value, double? seconds)
    {
        var jwt = Load(new() { ["Auth:Jwt:Secret"] = Secret, ["Auth:Jwt:MaxLifetime"] = value }).Jwt!;
        Assert.Equal(seconds, jwt.MaxLifetime?.TotalSeconds);
    }

    [Theory]
    [InlineData("a day", "Auth:Jwt:MaxLifetime=\"a day\": not a number of seconds, 0 or more")]
    [InlineData("-1", "Auth:Jwt:MaxLifetime=\"-1\": not a number of seconds, 0 or more")]
    [InlineData("1e20", "Auth:Jwt:MaxLifetime=\"1e20\": more than 3155760000 seconds (100 years)")]
    public void A_bad_MaxLifetime_is_named_and_one_too_large_to_add_to_a_time_is_refused(string value, string expected) =>
        Assert.Contains(expected, Problems(new() { ["Auth:Jwt:Secret"] = Secret, ["Auth:Jwt:MaxLifetime"] = value }));

    [Theory]
    [InlineData("Auth:Jwt:Secret", "too-short", "Auth:Jwt:Secret: 9 bytes")]
    [InlineData("Auth:Jwt:Issuer", "x", "needs Secret, PublicKeyFile or JwksUrl")]
    [InlineData("Auth:Jwt:JwksUrl", "ftp://keys.example/jwks", "Auth:Jwt:JwksUrl=\"ftp://keys.example/jwks\"")]
    [InlineData("Auth:Jwt:PublicKeyFile", "/nonexistent/key.pem", "PublicKeyFile=\"/nonexistent/key.pem\": cannot be read")]
    public void A_bad_value_is_named(string key, string value, string expected) =>
        Assert.Contains(expected, Problems(new() { [key] = value }));

    [Fact]
    public void Algorithms_must_be_ones_the_keys_can_check_and_the_leeway_a_number()
    {
        var message = Problems(new() { ["Auth:Jwt:Secret"] = Secret, ["Auth:Jwt:Algorithms"] = "HS256,RS256", ["Auth:Jwt:ClockSkew"] = "soon" });
        Assert.Contains("RS256 cannot be checked with the configured keys", message);
        Assert.Contains("Auth:Jwt:ClockSkew=\"soon\"", message);
    }

    [Fact]
    public void A_pem_file_must_hold_an_rsa_or_p256_public_key()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var (junk, ec384, rsa) = (Path.GetTempFileName(), Path.GetTempFileName(), Path.GetTempFileName());
        File.WriteAllText(junk, "not a key");
        File.WriteAllText(ec384, p384.ExportSubjectPublicKeyInfoPem());
        using var key = RSA.Create(2048);
        File.WriteAllText(rsa, key.ExportSubjectPublicKeyInfoPem());

        Assert.Contains("holds no RSA or EC public key", Problems(new() { ["Auth:Jwt:PublicKeyFile"] = junk }));
        Assert.Contains("ES256 needs P-256", Problems(new() { ["Auth:Jwt:PublicKeyFile"] = ec384 }));
        Assert.Equal(["RS256"], SigningKeys.Load(Load(new() { ["Auth:Jwt:PublicKeyFile"] = rsa }).Jwt!).Algorithms);
    }
}

using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Switchboard.Service.Auth;

namespace Switchboard.Benchmarks;

/// <summary>
/// What checking a token costs an upgrade: one <see cref="TokenValidator.CheckAsync"/> per operation, for an
/// HS256 secret, an RS256 key and an ES256 key from PEM files, with issuer and audience checked.
/// </summary>
[MemoryDiagnoser]
public class TokenValidationBenchmarks
{
    private const string Secret = "a-benchmark-secret-of-more-than-32-bytes";
    private TokenValidator _validator = null!;
    private string _token = null!;

    [Params("HS256", "RS256", "ES256")]
    public string Algorithm { get; set; } = "HS256";

    [GlobalSetup]
    public void Setup()
    {
        SigningCredentials signing;
        JwtOptions options;
        switch (Algorithm)
        {
            case "RS256":
                var rsa = RSA.Create(2048);
                signing = new SigningCredentials(new RsaSecurityKey(rsa), SecurityAlgorithms.RsaSha256);
                options = new JwtOptions { PublicKeyFile = PemFile(rsa) };
                break;
            case "ES256":
                var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
                signing = new SigningCredentials(new ECDsaSecurityKey(ec), SecurityAlgorithms.EcdsaSha256);
                options = new JwtOptions { PublicKeyFile = PemFile(ec) };
                break;
            default:
                signing = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(Secret)), SecurityAlgorithms.HmacSha256);
                options = new JwtOptions { Secret = Secret };
                break;
        }
        options = options with { Issuer = "https://issuer.bench", Audience = "switchboard" };
        _validator = new TokenValidator(options, keyWait: TimeSpan.FromSeconds(10), new HttpClient(), NullLogger<TokenValidator>.Instance, TimeProvider.System);
        _token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Claims = new Dictionary<string, object> { ["sub"] = "alice", ["groups"] = new[] { "news" }, ["scope"] = "broadcast" },
            Issuer = "https://issuer.bench", Audience = "switchboard", Expires = DateTime.UtcNow.AddDays(1),
            SigningCredentials = signing,
        });
    }

    [GlobalCleanup]
    public void Cleanup() => _validator.Dispose();

    [Benchmark]
    public async Task<string?> Check() => (await _validator.CheckAsync(_token)).Token?.Subject;

    private static string PemFile(AsymmetricAlgorithm key)
    {
        var path = Path.GetTempFileName();
        File.WriteAllText(path, key.ExportSubjectPublicKeyInfoPem());
        return path;
    }
}

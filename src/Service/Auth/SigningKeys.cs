using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace Switchboard.Service.Auth;

/// <summary>
/// The keys a token may be signed with that are known at start-up (the HS256 secret, the PEM file's public key),
/// and the algorithms the configuration allows: those the keys can check, or the configured list.
/// </summary>
public sealed class SigningKeys
{
    private SigningKeys(IReadOnlyList<SecurityKey> keys, IReadOnlyList<string> algorithms)
    {
        Keys = keys;
        Algorithms = algorithms;
    }

    public IReadOnlyList<SecurityKey> Keys { get; }
    public IReadOnlyList<string> Algorithms { get; }

    /// <exception cref="InvalidOperationException">The PEM file cannot be read or holds no usable key.</exception>
    public static SigningKeys Load(JwtOptions options)
    {
        var keys = new List<SecurityKey>();
        var possible = new List<string>();
        if (options.Secret is { } secret)
        {
            keys.Add(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(secret)));
            possible.Add(SecurityAlgorithms.HmacSha256);
        }
        if (options.PublicKeyFile is { } file)
        {
            var (key, algorithm) = ReadPem(file);
            keys.Add(key);
            possible.Add(algorithm);
        }
        if (options.JwksUrl is not null)
            possible.AddRange([SecurityAlgorithms.RsaSha256, SecurityAlgorithms.EcdsaSha256]);
        possible = possible.Distinct().ToList();
        var unusable = options.Algorithms.Where(a => !possible.Contains(a)).ToList();
        if (unusable.Count > 0)
            throw new InvalidOperationException($"Algorithms: {string.Join(", ", unusable)} cannot be checked with the configured " +
                                                $"keys, which allow {string.Join(", ", possible)}");
        return new SigningKeys(keys, options.Algorithms.Count > 0 ? options.Algorithms : possible);
    }

    /// <summary>Adds to <paramref name="problems"/> what <see cref="Load"/> would throw for.</summary>
    public static void Check(JwtOptions options, List<string> problems)
    {
        try
        {
            Load(options);
        }
        catch (InvalidOperationException e)
        {
            problems.Add($"{AuthOptions.SectionName}:Jwt:{e.Message}");
        }
    }

    private static (SecurityKey, string) ReadPem(string file)
    {
        string pem;
        try
        {
            pem = File.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"PublicKeyFile=\"{file}\": cannot be read ({e.Message})");
        }
        try
        {
            var rsa = RSA.Create();
            rsa.ImportFromPem(pem);
            return (new RsaSecurityKey(rsa), SecurityAlgorithms.RsaSha256);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
        }
        try
        {
            var ec = ECDsa.Create();
            ec.ImportFromPem(pem);
            if (ec.KeySize != 256)
                throw new InvalidOperationException($"PublicKeyFile=\"{file}\": an EC key of {ec.KeySize} bits; ES256 needs P-256");
            return (new ECDsaSecurityKey(ec), SecurityAlgorithms.EcdsaSha256);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            throw new InvalidOperationException($"PublicKeyFile=\"{file}\": holds no RSA or EC public key in PEM form");
        }
    }
}

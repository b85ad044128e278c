using System.Text;
using Microsoft.Extensions.Configuration;
using Switchboard.Contracts;
using Switchboard.Service.Settings;
using static Switchboard.Service.Settings.ConfigurationValues;

namespace Switchboard.Service.Auth;

/// <summary>
/// Builds <see cref="AuthOptions"/> from the <c>Auth</c> section and reports every bad value at once, naming its
/// path (as <see cref="SwitchboardOptionsLoader"/> does for the hub's settings). Lists are either children
/// (<c>Auth:AllowedOrigins:0</c>) or one comma-separated value (<c>Auth:AllowedOrigins</c>).
/// </summary>
public static class AuthOptionsLoader
{
    public const int MinSecretBytes = 32;
    public const int MinApiKeyLength = ApiKeys.MinLength;

    public static readonly IReadOnlySet<string> Scopes = new HashSet<string>(ApiKeys.Scopes);

    /// <exception cref="SwitchboardSettingsException">A value does not parse or is out of range.</exception>
    public static AuthOptions Load(IConfiguration configuration)
    {
        var problems = new List<string>();
        var auth = configuration.GetSection(AuthOptions.SectionName);
        var options = new AuthOptions
        {
            Jwt = ReadJwt(auth.GetSection("Jwt"), problems),
            AllowedOrigins = ReadOrigins(auth.GetSection("AllowedOrigins"), problems),
            ApiKeys = ReadApiKeys(auth.GetSection("ApiKeys"), problems),
            UseHttpContextUser = ReadBool(auth.GetSection("UseHttpContextUser"), problems) ?? false,
        };
        return problems.Count == 0 ? options : throw new SwitchboardSettingsException(problems);
    }

    private static JwtOptions? ReadJwt(IConfigurationSection jwt, List<string> problems)
    {
        if (!jwt.GetChildren().Any())
            return null;
        var options = new JwtOptions
        {
            Secret = NonEmpty(jwt["Secret"]),
            PublicKeyFile = NonEmpty(jwt["PublicKeyFile"]),
            JwksUrl = ReadUrl(jwt.GetSection("JwksUrl"), problems),
            Algorithms = ReadList(jwt.GetSection("Algorithms")),
            Issuer = NonEmpty(jwt["Issuer"]),
            Audience = NonEmpty(jwt["Audience"]),
            ClockSkew = ReadSeconds(jwt.GetSection("ClockSkew"), problems) ?? JwtOptions.DefaultClockSkew,
            // 0 turns the bound off.
            MaxLifetime = ReadSeconds(jwt.GetSection("MaxLifetime"), problems) is { } max
                ? max > TimeSpan.Zero ? max : null
                : JwtOptions.DefaultMaxLifetime,
            RestrictGroups = ReadBool(jwt.GetSection("RestrictGroups"), problems) ?? false,
        };
        if (options.Secret is null && options.PublicKeyFile is null && options.JwksUrl is null)
            problems.Add($"{jwt.Path}: needs Secret, PublicKeyFile or JwksUrl to check tokens with");
        if (options.Secret is { } secret && Encoding.UTF8.GetByteCount(secret) < MinSecretBytes)
            problems.Add($"{jwt.Path}:Secret: {Encoding.UTF8.GetByteCount(secret)} bytes; an HS256 secret needs at least {MinSecretBytes}");
        SigningKeys.Check(options, problems);
        return options;
    }

    private static IReadOnlyList<string> ReadOrigins(IConfigurationSection section, List<string> problems)
    {
        var origins = ReadList(section);
        foreach (var origin in origins)
        {
            // Compared as browsers send it: lower case, no user info, no default port, nothing after the authority.
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.UserInfo.Length > 0)
                problems.Add($"{section.Path}=\"{origin}\": an origin is http(s)://host[:port]");
            else if (uri.IsDefaultPort && origin.TrimEnd('/').EndsWith($":{uri.Port}", StringComparison.Ordinal))
                problems.Add($"{section.Path}=\"{origin}\": browsers send the origin without its default port {uri.Port}; leave it out");
            else if (uri.GetLeftPart(UriPartial.Authority) != origin.ToLowerInvariant())
                problems.Add($"{section.Path}=\"{origin}\": an origin is scheme://host[:port], without a path or a trailing slash");
        }
        return origins;
    }

    private static IReadOnlyList<ApiKeyOptions> ReadApiKeys(IConfigurationSection section, List<string> problems)
    {
        var keys = new List<ApiKeyOptions>();
        // By digest, so that a key given once as itself and once as its digest is seen to be the same key.
        var digests = new List<(byte[] Digest, string Name)>();
        // A lone value is most likely a key meant as the whole setting: say so without echoing it.
        if (!string.IsNullOrEmpty(section.Value))
            problems.Add($"{section.Path}: a list of keys, each with Key, Scopes and a Name ({section.Path}:0:Key, {section.Path}:0:Scopes:0)");
        foreach (var entry in section.GetChildren().OrderBy(c => int.TryParse(c.Key, out var i) ? i : int.MaxValue))
        {
            var key = entry["Key"] ?? "";
            var name = NonEmpty(entry["Name"]) ?? $"key{entry.Key}";
            var scopes = ReadList(entry.GetSection("Scopes"));
            if (KeyProblem(key) is { } problem)
                problems.Add($"{entry.Path}:Key: {problem}");
            else
                CheckUnique(ApiKeys.DigestOf(key)!, name, $"{entry.Path}:Key", digests, problems);
            if (scopes.Count == 0)
                problems.Add($"{entry.Path}:Scopes: missing; give one or more of {string.Join(", ", Scopes)}");
            foreach (var scope in scopes.Where(s => !Scopes.Contains(s)))
                problems.Add($"{entry.Path}:Scopes=\"{scope}\": not a scope; use {string.Join(", ", Scopes)}");
            if (keys.Any(k => k.Name == name))
                problems.Add($"{entry.Path}:Name=\"{name}\": two keys have this name");
            keys.Add(new ApiKeyOptions(name, key, scopes));
        }
        return keys;
    }

    private static void CheckUnique(byte[] digest, string name, string path, List<(byte[] Digest, string Name)> digests, List<string> problems)
    {
        if (digests.Find(d => d.Digest.AsSpan().SequenceEqual(digest)) is { Name: { } same })
            problems.Add($"{path}: the same key as {same}");
        else
            digests.Add((digest, name));
    }

    // What is wrong with a configured key, never quoting it: the key itself, or its digest form.
    private static string? KeyProblem(string key)
    {
        if (ApiKeys.IsDigestForm(key))
            return ApiKeys.DigestOf(key) is null
                ? $"{ApiKeys.DigestPrefix} is followed by the key's SHA-256 as 64 hex digits (sbctl keys new --digest prints it)"
                : null;
        if (key.Length < MinApiKeyLength)
            return $"{(key.Length == 0 ? "missing" : $"{key.Length} characters")}; a key needs at least {MinApiKeyLength}";
        if (key.Length > ApiKeys.MaxLength)
            return $"{key.Length} characters; a key has at most {ApiKeys.MaxLength}";
        return key.Any(c => c is < '!' or > '~') ? "a key is printable ASCII without spaces, as it travels in a header" : null;
    }
}

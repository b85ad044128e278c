using System.Text;
using Microsoft.Extensions.Configuration;
using Switchboard.Actors.Hooks;
using Switchboard.Service.Auth;
using Switchboard.Service.Settings;
using static Switchboard.Service.Settings.ConfigurationValues;

namespace Switchboard.Service.Hooks;

/// <summary>The <c>Hooks</c> section: each hook's policy, the URLs of the HTTP hooks, and the secrets that sign their calls.</summary>
public sealed record HooksSettings(HookOptions Options, IReadOnlyDictionary<HookKind, Uri> Urls, IReadOnlyList<byte[]> Secrets)
{
    public const string SectionName = "Hooks";
}

/// <summary>
/// Builds <see cref="HooksSettings"/> from the <c>Hooks</c> section (docs/hooks.md), reporting every bad value at once with
/// its path, as the other loaders do: a hook URL without <c>Hooks:Secrets</c>, and <c>ForwardCookies</c> without
/// <c>Auth:AllowedOrigins</c> (a cookie alone would let any web page open a socket as its visitor), stop start-up.
/// </summary>
public static class HooksSettingsLoader
{
    public const int MinSecretBytes = 32;
    public const int MaxTimeoutSeconds = 60;
    public const int MaxConcurrentBound = 1_000_000;

    private static readonly string[] SectionKeys = ["Secrets", .. HookKinds.All.Select(k => k.Section())];
    private static readonly string[] PolicyKeys = ["Url", "Timeout", "OnFailure", "MaxConcurrent"];

    /// <exception cref="SwitchboardSettingsException">A value does not parse, is out of range, or a name is unknown.</exception>
    public static HooksSettings Load(IConfiguration configuration, AuthOptions auth)
    {
        var problems = new List<string>();
        var section = configuration.GetSection(HooksSettings.SectionName);
        UnknownKeys(section, SectionKeys, "a setting of Hooks", problems);
        var secrets = ReadSecrets(configuration, problems);
        var policies = new Dictionary<HookKind, HookPolicy>();
        var urls = new Dictionary<HookKind, Uri>();
        foreach (var kind in HookKinds.All)
        {
            var hook = section.GetSection(kind.Section());
            string[] extra = kind switch
            {
                HookKind.Connect => ["ForwardHeaders", "ForwardCookies"],
                HookKind.Publish => ["Direct"],
                _ => [],
            };
            UnknownKeys(hook, [.. PolicyKeys, .. extra], $"a setting of the {kind.Name()} hook", problems);
            policies[kind] = ReadPolicy(hook, problems);
            if (ReadUrl(hook.GetSection("Url"), problems) is { } url)
            {
                urls[kind] = url;
                if (secrets.Count == 0)
                    problems.Add($"{hook.Path}:Url: a hook's calls are signed; set {HooksSettings.SectionName}:Secrets (at least {MinSecretBytes} bytes each)");
            }
        }
        var connect = section.GetSection(HookKind.Connect.Section());
        var headers = ReadList(connect.GetSection("ForwardHeaders"));
        var cookies = ReadList(connect.GetSection("ForwardCookies"));
        foreach (var name in headers.Where(h => !IsToken(h)))
            problems.Add($"{connect.Path}:ForwardHeaders=\"{name}\": not a header name");
        foreach (var name in cookies.Where(c => !IsToken(c)))
            problems.Add($"{connect.Path}:ForwardCookies=\"{name}\": not a cookie name");
        if (cookies.Count > 0 && auth.AllowedOrigins.Count == 0)
            problems.Add($"{connect.Path}:ForwardCookies: needs {AuthOptions.SectionName}:AllowedOrigins, or any web page could open a socket as its visitor");
        var direct = ReadBool(section.GetSection(HookKind.Publish.Section()).GetSection("Direct"), problems) ?? false;
        return problems.Count == 0
            ? new HooksSettings(new HookOptions(policies, direct, headers, cookies), urls, secrets)
            : throw new SwitchboardSettingsException(problems);
    }

    /// <summary><c>Hooks:Secrets</c>, a list or one comma-separated value: also the key of the lifecycle events' signatures.</summary>
    public static IReadOnlyList<byte[]> ReadSecrets(IConfiguration configuration, List<string> problems)
    {
        var section = configuration.GetSection(HooksSettings.SectionName).GetSection("Secrets");
        var secrets = new List<byte[]>();
        foreach (var secret in ReadList(section))
        {
            var bytes = Encoding.UTF8.GetBytes(secret);
            if (bytes.Length < MinSecretBytes)
                problems.Add($"{section.Path}: a secret of {bytes.Length} bytes; each needs at least {MinSecretBytes}");
            else
                secrets.Add(bytes);
        }
        return secrets;
    }

    private static HookPolicy ReadPolicy(IConfigurationSection hook, List<string> problems)
    {
        var timeout = ReadSeconds(hook.GetSection("Timeout"), problems);
        if (timeout is { } t && (t <= TimeSpan.Zero || t > TimeSpan.FromSeconds(MaxTimeoutSeconds)))
        {
            problems.Add($"{hook.Path}:Timeout=\"{hook["Timeout"]}\": more than 0 and at most {MaxTimeoutSeconds} seconds");
            timeout = null;
        }
        var onFailure = NonEmpty(hook["OnFailure"])?.ToLowerInvariant() switch
        {
            null => HookFailure.Deny,
            "deny" => HookFailure.Deny,
            "allow" => HookFailure.Allow,
            _ => Problem(problems, $"{hook.Path}:OnFailure=\"{hook["OnFailure"]}\": deny or allow"),
        };
        var max = ReadInt(hook.GetSection("MaxConcurrent"), 1, MaxConcurrentBound, problems);
        return new HookPolicy(timeout ?? HookPolicy.DefaultTimeout, onFailure, max ?? HookPolicy.DefaultMaxConcurrent);
    }

    private static HookFailure Problem(List<string> problems, string problem)
    {
        problems.Add(problem);
        return HookFailure.Deny;
    }


    // RFC 9110's token: what a header or cookie name is made of.
    private static bool IsToken(string name) =>
        name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c));
}

using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;
using Switchboard.Service.Settings;
using static Switchboard.Service.Settings.ConfigurationValues;

namespace Switchboard.Service.Remoting;

/// <summary>
/// Builds <see cref="ClusterTlsSettings"/> from the <c>Cluster:Tls</c> section and the <c>CLUSTER_TLS_*</c> variables (a
/// variable wins over the section, as for the other cluster settings), reading the files they name, and reports every problem
/// at once: a file missing or unreadable, a key that is not the certificate's or that the password does not open, a
/// certificate without its key, no CA, a certificate this node's own CAs would refuse (so would its peers), a setting
/// without the certificate that turns TLS on, seeds in the other protocol.
/// </summary>
public static class ClusterTlsSettingsLoader
{
    /// <summary>A setting's value and where it came from, as a problem names it.</summary>
    public sealed record Setting(string Source, string Value)
    {
        public override string ToString() => $"{Source}=\"{Value}\"";
    }

    private static readonly (string Key, string Variable)[] Keys =
    [
        ("Certificate", "CLUSTER_TLS_CERTIFICATE"),
        ("Key", "CLUSTER_TLS_KEY"),
        ("Password", "CLUSTER_TLS_PASSWORD"),
        ("Ca", "CLUSTER_TLS_CA"),
    ];

    /// <summary>Each setting's variable, for documentation and messages.</summary>
    public static IReadOnlyDictionary<string, string> Variables { get; } = Keys.ToDictionary(k => k.Key, k => k.Variable);

    /// <param name="seeds">The node's <c>Cluster:Seeds</c>, which must be in the protocol TLS on or off makes the nodes' addresses.</param>
    /// <exception cref="SwitchboardSettingsException">A file cannot be used, or a setting is missing or not known.</exception>
    public static ClusterTlsSettings Load(IConfiguration configuration, IReadOnlyList<string> seeds)
    {
        var problems = new List<string>();
        var section = configuration.GetSection(ClusterTlsSettings.SectionName);
        UnknownKeys(section, [.. Keys.Select(k => k.Key)], $"a setting of {ClusterTlsSettings.SectionName}", problems);
        var set = new Dictionary<string, Setting>();
        foreach (var (key, variable) in Keys)
        {
            if (Read(configuration, key, variable) is { } setting)
                set[key] = setting;
        }
        var settings = set.TryGetValue("Certificate", out var certificate)
            ? Enabled(certificate, set.GetValueOrDefault("Key"), set.GetValueOrDefault("Password"), set.GetValueOrDefault("Ca"), problems)
            : Disabled(set, problems);
        foreach (var seed in seeds.Where(s => !s.StartsWith(settings.Protocol + "://", StringComparison.Ordinal)))
            problems.Add(settings.Enabled
                ? $"Cluster:Seeds (CLUSTER_SEEDS): \"{seed}\" is a plaintext address, but this node speaks TLS ({Describe("Certificate")} " +
                  $"is set): write it {ClusterTlsSettings.TlsProtocol}://switchboard@host:port"
                : $"Cluster:Seeds (CLUSTER_SEEDS): \"{seed}\" is a TLS address, but this node speaks plaintext: set {Describe("Certificate")} " +
                  $"and {Describe("Ca")}, or write it {ClusterTlsSettings.PlainProtocol}://switchboard@host:port");
        return problems.Count == 0 ? settings : throw new SwitchboardSettingsException(problems);
    }

    private static ClusterTlsSettings Enabled(Setting certificate, Setting? key, Setting? password, Setting? ca, List<string> problems)
    {
        var own = NodeCertificateFiles.ReadCertificate(certificate, key, password?.Value, problems);
        IReadOnlyList<X509Certificate2> authorities = [];
        if (ca is null)
            problems.Add($"{Describe("Ca")} is required with {Describe("Certificate")}: the PEM file of the CA certificate(s) that sign the " +
                         "nodes' certificates; a peer's certificate must chain to one of them");
        else
            authorities = NodeCertificateFiles.ReadAuthorities(ca, problems);
        if (own is not null && authorities.Count > 0 && new PeerCertificates(authorities).Refusal(own) is { } refusal)
            problems.Add($"{certificate}: the other nodes would refuse this node's certificate: {refusal}");
        return new ClusterTlsSettings(own, authorities);
    }

    // Half a configuration is a mistake to report, not a reason to run in plaintext.
    private static ClusterTlsSettings Disabled(Dictionary<string, Setting> set, List<string> problems)
    {
        foreach (var setting in set.Values)
            problems.Add($"{setting.Source} is set but {Describe("Certificate")} is not: TLS between the nodes is on only with this node's certificate");
        return ClusterTlsSettings.Off;
    }

    private static Setting? Read(IConfiguration configuration, string key, string variable)
    {
        var path = $"{ClusterTlsSettings.SectionName}:{key}";
        if (NonEmpty(configuration[variable]) is { } fromVariable)
            return new Setting(variable, fromVariable);
        return NonEmpty(configuration[path]) is { } fromSection ? new Setting(path, fromSection) : null;
    }

    internal static string Describe(string key) => $"{ClusterTlsSettings.SectionName}:{key} ({Variables[key]})";
}

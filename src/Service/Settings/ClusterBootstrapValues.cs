using System.Text.RegularExpressions;

namespace Switchboard.Service.Settings;

/// <summary>
/// The readers and rules of the Cluster Bootstrap settings (CLUSTER_DISCOVERY and the settings it brings), rows of
/// <see cref="SwitchboardOptionsLoader"/>'s table; they report in its way, so one start names every problem.
/// </summary>
internal static partial class ClusterBootstrapValues
{
    public const string Seeds = "seeds";
    public const string Config = "config";
    public const string Kubernetes = "kubernetes";

    private const string DiscoveryRule = "must be seeds (CLUSTER_SEEDS, or a cluster of one without them), config " +
                                         "(CLUSTER_DISCOVERY_ENDPOINTS) or kubernetes (the pods found through the Kubernetes API)";

    public static string Discovery(string value) =>
        value.ToLowerInvariant() is Seeds or Config or Kubernetes ? value.ToLowerInvariant() : throw new FormatException(DiscoveryRule);

    /// <summary>
    /// Each entry <c>host:port</c>, host a name or an IPv4 address: Akka's config discovery splits an entry at its
    /// colons, so an IPv6 address cannot be told from its port. Every bad entry is named in the one message.
    /// </summary>
    public static IReadOnlyList<string> Endpoints(IReadOnlyList<string> entries)
    {
        var bad = entries.Where(e => !IsEndpoint(e)).Select(e => $"\"{e}\"").ToList();
        if (bad.Count > 0)
            throw new FormatException($"{string.Join(", ", bad)} {(bad.Count == 1 ? "is" : "are")} not host:port " +
                                      "(a host name or IPv4 address, a port from 1 to 65535)");
        var twice = entries.GroupBy(e => e, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Select(g => $"\"{g.Key}\"").ToList();
        if (twice.Count > 0)
            throw new FormatException($"{string.Join(", ", twice)} listed more than once");
        return entries;
    }

    private static bool IsEndpoint(string entry)
    {
        var parts = entry.Split(':');
        return parts.Length == 2 && Uri.CheckHostName(parts[0]) is UriHostNameType.Dns or UriHostNameType.IPv4
               && ConfigurationValues.ParseInt(parts[1]) is >= 1 and <= 65535;
    }

    /// <summary>A Kubernetes label value, since it fills the label selector.</summary>
    public static string ServiceName(string value) =>
        LabelValue().IsMatch(value) ? value
            : throw new FormatException("must be a Kubernetes label value: up to 63 letters, digits, '-', '_' or '.', " +
                                        "beginning and ending with a letter or digit");

    /// <summary>Refused at start rather than by Akka's <c>string.Format</c> at the first lookup.</summary>
    public static string LabelSelector(string value)
    {
        if (value.Length == 0)
            throw new FormatException("is empty: must be a label selector such as app.kubernetes.io/name={0}");
        try
        {
            _ = string.Format(value, "switchboard");
            return value;
        }
        catch (FormatException)
        {
            throw new FormatException("has braces other than {0} (the service name); write a literal brace as {{ or }}");
        }
    }

    public static string Namespace(string value) =>
        NamespaceName().IsMatch(value) ? value
            : throw new FormatException("must be a Kubernetes namespace: up to 63 lower-case letters, digits or '-', " +
                                        "beginning and ending with a letter or digit");

    /// <summary>Rules between the bootstrap settings and the others, on the merged result.</summary>
    public static IEnumerable<string> Validate(SwitchboardOptions o, Func<string, string> describe)
    {
        // A value from configuration was refused when it was read, naming its source; this catches one set in code.
        if (o.ClusterDiscovery is not (Seeds or Config or Kubernetes))
            yield return $"{describe("ClusterDiscovery")} = {o.ClusterDiscovery}: {DiscoveryRule}";
        if (o.ClusterManagementPort is < 1 or > 65535)
            yield return $"{describe("ClusterManagementPort")} = {o.ClusterManagementPort}: must be a port number, 1 to 65535";
        if (o.ClusterRequiredContacts < 1)
            yield return $"{describe("ClusterRequiredContacts")} = {o.ClusterRequiredContacts}: must be at least 1";
        var bootstrap = o.ClusterDiscovery is Config or Kubernetes;
        if (bootstrap && o.ClusterSeeds.Count > 0)
            yield return $"{describe("ClusterSeeds")} is set with {describe("ClusterDiscovery")} = {o.ClusterDiscovery}: bootstrap " +
                         "finds the nodes itself; remove the seeds, or set the discovery to seeds";
        if (bootstrap && o.ClusterManagementPort == o.ClusterPort)
            yield return $"{describe("ClusterManagementPort")} = {o.ClusterManagementPort} is also {describe("ClusterPort")}: " +
                         "the management endpoint and remoting need a port each";
        if (o.ClusterDiscovery == Config && o.ClusterDiscoveryEndpoints.Count == 0)
            yield return $"{describe("ClusterDiscoveryEndpoints")} must list the nodes' management endpoints (host:port,host:port) " +
                         $"with {describe("ClusterDiscovery")} = config";
        else if (o.ClusterDiscovery == Config && o.ClusterDiscoveryEndpoints.Count < o.ClusterRequiredContacts)
            yield return $"{describe("ClusterRequiredContacts")} = {o.ClusterRequiredContacts} is more than the " +
                         $"{o.ClusterDiscoveryEndpoints.Count} endpoint(s) of {describe("ClusterDiscoveryEndpoints")}: " +
                         "the cluster would never form";
        if (o.ClusterDiscovery != Config && o.ClusterDiscoveryEndpoints.Count > 0)
            yield return $"{describe("ClusterDiscoveryEndpoints")} is set with {describe("ClusterDiscovery")} = {o.ClusterDiscovery}, " +
                         "which does not read it: set the discovery to config, or remove the endpoints";
    }

    [GeneratedRegex("^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")]
    private static partial Regex LabelValue();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")]
    private static partial Regex NamespaceName();
}

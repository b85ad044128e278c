using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Switchboard.Service.Settings;

/// <summary>
/// Builds <see cref="SwitchboardOptions"/>. Precedence, lowest first: defaults, the "WebSocket"
/// configuration section (appsettings, WebSocket__* variables, command line), the WEBSOCKET_*
/// variables, then the code overlay. Every problem is reported at once, naming its source and value.
/// </summary>
public static class SwitchboardOptionsLoader
{
    public const string SectionName = "WebSocket";

    private delegate SwitchboardOptions Apply(SwitchboardOptions options, string value);

    /// <param name="Path">Where the setting is in configuration; WebSocket:{Key} unless given.</param>
    private sealed record Setting(string Key, string Variable, Apply Apply, string? Path = null)
    {
        public string ConfigurationPath => Path ?? $"{SectionName}:{Key}";
    }

    private static readonly Setting[] Settings =
    [
        new("MaxConnections", "WEBSOCKET_MAX_CONNECTIONS", (o, v) => o with { MaxConnections = Int(v) }),
        new("MaxGroupsPerConnection", "WEBSOCKET_MAX_GROUPS_PER_CONNECTION", (o, v) => o with { MaxGroupsPerConnection = Int(v) }),
        new("MaxConnectionsPerUser", "WEBSOCKET_MAX_CONNECTIONS_PER_USER", (o, v) => o with { MaxConnectionsPerUser = Int(v) }),
        new("MaxConnectionsPerUserScope", "WEBSOCKET_MAX_CONNECTIONS_PER_USER_SCOPE",
            (o, v) => o with { MaxConnectionsPerUserScope = Scope(v) }),
        new("MaxConnectionsPerIp", "WEBSOCKET_MAX_CONNECTIONS_PER_IP", (o, v) => o with { MaxConnectionsPerIp = Int(v) }),
        new("HeartbeatInterval", "WEBSOCKET_HEARTBEAT_INTERVAL", (o, v) => o with { HeartbeatInterval = Seconds(v) }),
        new("ConnectionTimeout", "WEBSOCKET_CONNECTION_TIMEOUT", (o, v) => o with { ConnectionTimeout = Seconds(v) }),
        new("MessageBufferSize", "WEBSOCKET_MESSAGE_BUFFER_SIZE", (o, v) => o with { MessageBufferSize = Int(v) }),
        new("MessageQueueSize", "WEBSOCKET_MESSAGE_QUEUE_SIZE", (o, v) => o with { MessageQueueSize = Int(v) }),
        new("EnableCompression", "WEBSOCKET_ENABLE_COMPRESSION", (o, v) => o with { EnableCompression = Bool(v) }),
        new("CompressionLevel", "WEBSOCKET_COMPRESSION_LEVEL", (o, v) => o with { CompressionLevel = Int(v) }),
        new("ShardCount", "WEBSOCKET_SHARD_COUNT", (o, v) => o with { ShardCount = Int(v) }),
        new("ConnectionPartitions", "WEBSOCKET_CONNECTION_PARTITIONS", (o, v) => o with { ConnectionPartitions = Int(v) }),
        new("DropOnFull", "WEBSOCKET_DROP_ON_FULL", (o, v) => o with { DropOnFull = Bool(v) }),
        new("CloseOnBackpressure", "WEBSOCKET_CLOSE_ON_BACKPRESSURE", (o, v) => o with { CloseOnBackpressure = Bool(v) }),
        new("SendTimeoutMs", "WEBSOCKET_SEND_TIMEOUT_MS", (o, v) => o with { SendTimeout = Milliseconds(v) }),
        new("ReadBufferSize", "WEBSOCKET_READ_BUFFER_SIZE", (o, v) => o with { ReadBufferSize = Int(v) }),
        new("WriteBufferSize", "WEBSOCKET_WRITE_BUFFER_SIZE", (o, v) => o with { WriteBufferSize = Int(v) }),
        new("MaxMessageSize", "WEBSOCKET_MAX_MESSAGE_SIZE", (o, v) => o with { MaxMessageSize = Int(v) }),
        new("EnableGlobalPing", "WEBSOCKET_ENABLE_GLOBAL_PING", (o, v) => o with { EnableGlobalPing = Bool(v) }),
        new("ConnectionHosts", "WEBSOCKET_CONNECTION_HOSTS", (o, v) => o with { ConnectionHosts = Int(v) }),
        new("MessageRate", "WEBSOCKET_MESSAGE_RATE", (o, v) => o with { MessageRate = Switchboard.Actors.RateLimiting.Rate.Parse(v).ToString() }),
        new("HandshakeTimeout", "WEBSOCKET_HANDSHAKE_TIMEOUT", (o, v) => o with { HandshakeTimeout = Seconds(v) }),
        new("AllowClientBroadcast", "WEBSOCKET_ALLOW_CLIENT_BROADCAST", (o, v) => o with { AllowClientBroadcast = Bool(v) }),
        new("ShutdownTimeout", "WEBSOCKET_SHUTDOWN_TIMEOUT", (o, v) => o with { ShutdownTimeout = Seconds(v) }),
        new("HistorySize", "WEBSOCKET_HISTORY_SIZE", (o, v) => o with { HistorySize = Int(v) }),
        new("HistoryTtl", "WEBSOCKET_HISTORY_TTL", (o, v) => o with { HistoryTtl = Seconds(v) }),
        new("HistoryStore", "HISTORY_STORE", (o, v) => o with { HistoryStore = v.ToLowerInvariant() }, "History:Store"),
        new("HistoryMaxBytes", "HISTORY_MAX_BYTES", (o, v) => o with { HistoryMaxBytes = Long(v) }, "History:MaxBytes"),
        new("HistoryRedis", "HISTORY_REDIS", (o, v) => o with { HistoryRedis = v }, "History:Redis"),
        new("HistoryPrefix", "HISTORY_PREFIX", (o, v) => o with { HistoryPrefix = v }, "History:Prefix"),
        new("HistoryOnStoreFailure", "HISTORY_ON_STORE_FAILURE", (o, v) => o with { HistoryOnStoreFailure = v.ToLowerInvariant() },
            "History:OnStoreFailure"),
        new("ClusterSeeds", "CLUSTER_SEEDS", (o, v) => o with { ClusterSeeds = Seeds(v) }, "Cluster:Seeds"),
        new("ClusterHostname", "CLUSTER_HOSTNAME", (o, v) => o with { ClusterHostname = Hostname(v) }, "Cluster:Hostname"),
        new("ClusterPort", "CLUSTER_PORT", (o, v) => o with { ClusterPort = Int(v) }, "Cluster:Port"),
        new("ClusterRoles", "CLUSTER_ROLES", (o, v) => o with { ClusterRoles = List(v) }, "Cluster:Roles"),
        new("ClusterJoinTimeout", "CLUSTER_JOIN_TIMEOUT", (o, v) => o with { ClusterJoinTimeout = Seconds(v) }, "Cluster:JoinTimeout"),
        new("ClusterDiscovery", "CLUSTER_DISCOVERY", (o, v) => o with { ClusterDiscovery = ClusterBootstrapValues.Discovery(v) },
            "Cluster:Discovery"),
        new("ClusterDiscoveryEndpoints", "CLUSTER_DISCOVERY_ENDPOINTS",
            (o, v) => o with { ClusterDiscoveryEndpoints = ClusterBootstrapValues.Endpoints(List(v)) }, "Cluster:DiscoveryEndpoints"),
        new("ClusterManagementPort", "CLUSTER_MANAGEMENT_PORT", (o, v) => o with { ClusterManagementPort = Int(v) },
            "Cluster:ManagementPort"),
        new("ClusterRequiredContacts", "CLUSTER_REQUIRED_CONTACTS", (o, v) => o with { ClusterRequiredContacts = Int(v) },
            "Cluster:RequiredContacts"),
        new("ClusterDiscoveryServiceName", "CLUSTER_DISCOVERY_SERVICE_NAME",
            (o, v) => o with { ClusterDiscoveryServiceName = ClusterBootstrapValues.ServiceName(v) }, "Cluster:DiscoveryServiceName"),
        new("ClusterDiscoveryLabelSelector", "CLUSTER_DISCOVERY_LABEL_SELECTOR",
            (o, v) => o with { ClusterDiscoveryLabelSelector = ClusterBootstrapValues.LabelSelector(v) }, "Cluster:DiscoveryLabelSelector"),
        new("ClusterDiscoveryNamespace", "CLUSTER_DISCOVERY_NAMESPACE",
            (o, v) => o with { ClusterDiscoveryNamespace = ClusterBootstrapValues.Namespace(v) }, "Cluster:DiscoveryNamespace"),
    ];

    /// <summary>Settings of earlier builds whose job another took: naming one stops the start rather than being ignored.</summary>
    public static readonly IReadOnlyList<(string Key, string Variable, string Replacement)> Retired =
    [
        ("BroadcastWorkerCount", "WEBSOCKET_BROADCAST_WORKERS", "ConnectionPartitions"),
        ("PingWorkerCount", "WEBSOCKET_PING_WORKERS", "ConnectionPartitions"),
    ];

    /// <summary>The WEBSOCKET_* variable behind each setting, for documentation and messages.</summary>
    public static IReadOnlyDictionary<string, string> Variables { get; } = Settings.ToDictionary(s => s.Key, s => s.Variable);

    /// <exception cref="SwitchboardSettingsException">A value does not parse or is out of range.</exception>
    public static SwitchboardOptions Load(IConfiguration configuration, Func<SwitchboardOptions, SwitchboardOptions>? overlay = null)
    {
        var problems = new List<string>();
        var unread = new HashSet<string>();
        var options = new SwitchboardOptions();
        foreach (var setting in Settings)
        {
            var before = problems.Count;
            options = Bind(options, setting, setting.ConfigurationPath, configuration[setting.ConfigurationPath], problems);
            options = Bind(options, setting, setting.Variable, configuration[setting.Variable], problems);
            if (problems.Count > before)
                unread.Add(setting.Key);
        }
        foreach (var (key, variable, replacement) in Retired)
        {
            foreach (var source in new[] { $"{SectionName}:{key}", variable })
            {
                if (configuration[source] is not null)
                    problems.Add($"{source} is retired: the node's connections, broadcasts and pings are shared by its " +
                                 $"{Describe(replacement)} partitions; remove it, or set {Variables[replacement]} instead");
            }
        }
        if (problems.Count == 0 && overlay is not null)
            options = overlay(options);
        // The rules run even when some value could not be read, so that one start reports every problem; a rule about a
        // setting that could not be read would judge its default, and is left to the problem already reported for it.
        problems.AddRange(Validate(options).Where(p => !unread.Any(key => p.Contains(Describe(key), StringComparison.Ordinal))));
        return problems.Count == 0 ? options : throw new SwitchboardSettingsException(problems);
    }

    /// <summary>Range and consistency rules, applied to the merged result whatever its source.</summary>
    public static IEnumerable<string> Validate(SwitchboardOptions o)
    {
        foreach (var (key, value) in new (string, int)[]
                 {
                     ("MaxConnections", o.MaxConnections), ("MessageBufferSize", o.MessageBufferSize),
                     ("MessageQueueSize", o.MessageQueueSize), ("ShardCount", o.ShardCount),
                     ("ConnectionPartitions", o.ConnectionPartitions), ("ReadBufferSize", o.ReadBufferSize),
                     ("WriteBufferSize", o.WriteBufferSize), ("MaxMessageSize", o.MaxMessageSize),
                     ("MaxGroupsPerConnection", o.MaxGroupsPerConnection),
                     ("ConnectionHosts", o.ConnectionHosts),
                 })
        {
            if (value < 1)
                yield return $"{Describe(key)} = {value}: must be at least 1";
        }
        foreach (var (key, value) in new[] { ("MaxConnectionsPerUser", o.MaxConnectionsPerUser), ("MaxConnectionsPerIp", o.MaxConnectionsPerIp) })
        {
            if (value < 0)
                yield return $"{Describe(key)} = {value}: must be 0 (no bound) or more";
        }
        // A value from configuration was refused when it was read, naming its source; this catches one set in code.
        if (o.MaxConnectionsPerUserScope is not ("node" or "cluster"))
            yield return $"{Describe("MaxConnectionsPerUserScope")} = {o.MaxConnectionsPerUserScope}: {ScopeRule}";
        if (o.ConnectionPartitions > Switchboard.Actors.Routing.UserBuckets.Count)
            yield return $"{Describe("ConnectionPartitions")} = {o.ConnectionPartitions}: must be at most " +
                         $"{Switchboard.Actors.Routing.UserBuckets.Count}, the number of user buckets that partitions share";
        if (o.CompressionLevel is < -2 or > 9)
            yield return $"{Describe("CompressionLevel")} = {o.CompressionLevel}: must be between -2 and 9";
        if (o.HeartbeatInterval <= TimeSpan.Zero)
            yield return $"{Describe("HeartbeatInterval")} = {o.HeartbeatInterval.TotalSeconds}: must be above 0 seconds";
        if (o.ConnectionTimeout <= o.HeartbeatInterval)
            yield return $"{Describe("ConnectionTimeout")} = {o.ConnectionTimeout.TotalSeconds}: must be above " +
                         $"{Describe("HeartbeatInterval")} = {o.HeartbeatInterval.TotalSeconds} (seconds)";
        if (o.SendTimeout < TimeSpan.Zero)
            yield return $"{Describe("SendTimeoutMs")} = {o.SendTimeout.TotalMilliseconds}: must not be negative";
        if (o.ClusterPort is < 0 or > 65535)
            yield return $"{Describe("ClusterPort")} = {o.ClusterPort}: must be a port number, 0 to 65535";
        if (o.ClusterSeeds.Count > 0 && o.ClusterPort == 0)
            yield return $"{Describe("ClusterPort")} = 0: a node that joins seeds needs a fixed port for its peers to reach it";
        foreach (var problem in ClusterBootstrapValues.Validate(o, Describe))
            yield return problem;
        if (o.HandshakeTimeout <= TimeSpan.Zero)
            yield return $"{Describe("HandshakeTimeout")} = {o.HandshakeTimeout.TotalSeconds}: must be above 0 seconds";
        if (o.ClusterJoinTimeout <= TimeSpan.Zero)
            yield return $"{Describe("ClusterJoinTimeout")} = {o.ClusterJoinTimeout.TotalSeconds}: must be above 0 seconds";
        if (o.HistorySize < 0)
            yield return $"{Describe("HistorySize")} = {o.HistorySize}: must be 0 (history off) or more";
        if (o.HistoryTtl <= TimeSpan.Zero)
            yield return $"{Describe("HistoryTtl")} = {o.HistoryTtl.TotalSeconds}: must be above 0 seconds";
        if (o.HistoryStore is not ("memory" or "redis"))
            yield return $"{Describe("HistoryStore")} = {o.HistoryStore}: must be memory or redis";
        else if (o.HistoryStore == "redis" && RateLimiting.RateLimitPolicy.RedisConnectionProblem(o.HistoryRedis) is { } redis)
            yield return string.IsNullOrWhiteSpace(o.HistoryRedis)
                ? $"{Describe("HistoryRedis")} must be set with History:Store=redis: it {redis}"
                : $"{Describe("HistoryRedis")} = \"{o.HistoryRedis}\" {redis}";
        if (string.IsNullOrWhiteSpace(o.HistoryPrefix))
            yield return $"{Describe("HistoryPrefix")} is empty: must be a key prefix such as switchboard:history:";
        if (o.HistoryOnStoreFailure is not ("deliver" or "refuse"))
            yield return $"{Describe("HistoryOnStoreFailure")} = {o.HistoryOnStoreFailure}: must be deliver or refuse";
        if (o.HistoryMaxBytes < 1024 * 1024)
            yield return $"{Describe("HistoryMaxBytes")} = {o.HistoryMaxBytes}: must be at least 1048576 (1 MiB)";
        if (o.ShutdownTimeout < TimeSpan.Zero)
            yield return $"{Describe("ShutdownTimeout")} = {o.ShutdownTimeout.TotalSeconds}: must not be negative";
    }

    private static string Describe(string key) => $"{key} ({Variables[key]})";

    private static SwitchboardOptions Bind(SwitchboardOptions options, Setting setting, string source, string? value,
        List<string> problems)
    {
        if (value is null)
            return options;
        try
        {
            return setting.Apply(options, value.Trim());
        }
        catch (FormatException e)
        {
            problems.Add($"{source}=\"{value}\": {e.Message}");
            return options;
        }
        catch (OverflowException)
        {
            problems.Add($"{source}=\"{value}\": out of range");
            return options;
        }
    }

    private static int Int(string value) => ConfigurationValues.ParseInt(value) ?? throw new FormatException("not a whole number");

    private static long Long(string value) =>
        long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new FormatException("not a whole number");

    private static bool Bool(string value) =>
        ConfigurationValues.ParseBool(value) ?? throw new FormatException("not a boolean (use 1, 0, true or false)");

    private static TimeSpan Seconds(string value) =>
        ConfigurationValues.ParseSeconds(value) is { } s ? TimeSpan.FromSeconds(s) : throw new FormatException("not a number of seconds");

    private static IReadOnlyList<string> List(string value) =>
        value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    private static IReadOnlyList<string> Seeds(string value)
    {
        var seeds = List(value);
        foreach (var seed in seeds)
        {
            // akka.ssl.tcp with Cluster:Tls (ClusterTlsSettingsLoader checks which).
            if (!Uri.TryCreate(seed, UriKind.Absolute, out var uri) || uri.Scheme is not ("akka.tcp" or "akka.ssl.tcp")
                || uri.UserInfo != "switchboard" || uri.Port <= 0)
                throw new FormatException($"\"{seed}\" is not akka.tcp://switchboard@host:port (akka.ssl.tcp:// with Cluster:Tls)");
        }
        return seeds;
    }

    private static string Hostname(string value) =>
        value.Length > 0 && Uri.CheckHostName(value) != UriHostNameType.Unknown ? value : throw new FormatException("not a host name or address");

    private const string ScopeRule = "must be node (the bound holds on each node) or cluster (across every node)";

    private static string Scope(string value) =>
        value.ToLowerInvariant() is "node" or "cluster" ? value.ToLowerInvariant() : throw new FormatException(ScopeRule);

    private static TimeSpan Milliseconds(string value) => TimeSpan.FromMilliseconds(Int(value));
}

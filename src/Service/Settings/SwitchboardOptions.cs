using Switchboard.Actors.History;
using Switchboard.Actors.Hub;
using Switchboard.Streams;

namespace Switchboard.Service.Settings;

/// <summary>
/// Every setting of the hub. Built by <see cref="SwitchboardOptionsLoader"/> from defaults, the
/// "WebSocket" configuration section, WEBSOCKET_* variables and code, in that order.
/// In code, C#'s <c>with</c> is the merge: <c>o =&gt; o with { MaxConnections = 5_000 }</c>
/// overlays only the fields it names on the base built from the other sources.
/// </summary>
/// <remarks>
/// A setting that a lower record (HubOptions, ConnectionOptions, HistoryOptions, HistoryBudget) also carries takes its default from
/// that record's constant: each default is written once, and README's settings table states it.
/// </remarks>
public sealed record SwitchboardOptions
{
    public int MaxConnections { get; init; } = HubOptions.DefaultMaxConnections;
    /// <summary>Groups one connection may have joined; a join past it gets <c>too_many_groups</c>.</summary>
    public int MaxGroupsPerConnection { get; init; } = 128;

    /// <summary>Connections one user may hold on this node (or in the cluster, see <see cref="MaxConnectionsPerUserScope"/>); 0 for no bound.</summary>
    public int MaxConnectionsPerUser { get; init; }

    /// <summary>
    /// Where <see cref="MaxConnectionsPerUser"/> holds: <c>node</c> (on each node, counted there) or <c>cluster</c> (across
    /// every node: each upgrade asks the user's entity, one ask per upgrade; docs/connections.md).
    /// </summary>
    public string MaxConnectionsPerUserScope { get; init; } = "node";

    /// <summary>Connections from one client address on this node; 0 for no bound.</summary>
    public int MaxConnectionsPerIp { get; init; }

    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan ConnectionTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Per-connection outbound buffer, in messages.</summary>
    public int MessageBufferSize { get; init; } = ConnectionOptions.DefaultMessageBufferSize;

    /// <summary>The broadcasts that may wait for one connection partition; past it a broadcast skips that partition.</summary>
    public int MessageQueueSize { get; init; } = 1000;

    public bool EnableCompression { get; init; }

    /// <summary>-2 Huffman only, -1 zlib's default, 0 none, 1..9.</summary>
    public int CompressionLevel { get; init; } = HubOptions.DefaultCompressionLevel;

    public int ShardCount { get; init; } = 16;

    /// <summary>
    /// The actors that hold this node's connections, each its share: registration, deliveries, broadcasts, pings, token
    /// deadlines. Twice the cores by default, so that a broadcast or a large group's message runs on every core.
    /// </summary>
    public int ConnectionPartitions { get; init; } = 2 * Environment.ProcessorCount;
    public bool DropOnFull { get; init; } = true;
    public bool CloseOnBackpressure { get; init; }
    public TimeSpan SendTimeout { get; init; } = ConnectionOptions.DefaultSendTimeout;

    /// <summary>Bytes read from a socket at a time, for upgrades through the HTTP pipeline (the transport path reads into Kestrel's pooled blocks).</summary>
    public int ReadBufferSize { get; init; } = 1024;

    /// <summary>Bytes gathered into one socket write.</summary>
    public int WriteBufferSize { get; init; } = ConnectionOptions.DefaultWriteBufferSize;

    public int MaxMessageSize { get; init; } = ConnectionOptions.DefaultMaxMessageSize;

    /// <summary>Messages kept per stream (user or group) for resume and receipts; 0 turns history off (PROTOCOL.md "Streams").</summary>
    public int HistorySize { get; init; }

    /// <summary>How long a kept message stays resumable.</summary>
    public TimeSpan HistoryTtl { get; init; } = HistoryOptions.DefaultTtl;

    /// <summary>Where history is kept: <c>memory</c> (in the entities) or <c>redis</c> (<see cref="HistoryRedis"/>, shared by every node).</summary>
    public string HistoryStore { get; init; } = "memory";

    /// <summary>The StackExchange.Redis configuration string of the Redis store; required when <see cref="HistoryStore"/> is redis.</summary>
    public string? HistoryRedis { get; init; }

    /// <summary>What every key of the Redis store starts with.</summary>
    public string HistoryPrefix { get; init; } = "switchboard:history:";

    /// <summary>When the Redis store fails: <c>deliver</c> without history (the stream's epoch changes afterwards) or <c>refuse</c> the message.</summary>
    public string HistoryOnStoreFailure { get; init; } = "deliver";

    /// <summary>The most the memory store keeps on one node, in bytes; past it the stalest streams are evicted.</summary>
    public long HistoryMaxBytes { get; init; } = HistoryBudget.DefaultMaxBytes;
    public bool EnableGlobalPing { get; init; } = true;

    /// <summary>The actors that run the node's connection graphs, many graphs each (docs/connections.md, "Hosting").</summary>
    public int ConnectionHosts { get; init; } = Streams.Hosting.ConnectionHosts.DefaultCount;

    /// <summary>How long a client may take to send the whole upgrade request (Kestrel's request headers timeout).</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Messages a client may send, e.g. <c>100-S</c>; null for no limit.</summary>
    public string? MessageRate { get; init; }

    /// <summary>Whether clients may send <c>broadcast</c> frames; the HTTP API always may.</summary>
    public bool AllowClientBroadcast { get; init; }

    /// <summary>
    /// Seed nodes to join, as <c>akka.tcp://switchboard@host:port</c> (<c>akka.ssl.tcp://</c> with <c>Cluster:Tls</c>).
    /// Empty: the node forms a cluster of its own.
    /// </summary>
    public IReadOnlyList<string> ClusterSeeds { get; init; } = [];

    /// <summary>The address Akka remoting binds and advertises.</summary>
    public string ClusterHostname { get; init; } = "127.0.0.1";

    /// <summary>Akka remoting's port; 0 takes a free one (fine for a node without peers).</summary>
    public int ClusterPort { get; init; }

    public IReadOnlyList<string> ClusterRoles { get; init; } = [];

    /// <summary>How long a node with seeds may try to join them before it gives up and exits.</summary>
    public TimeSpan ClusterJoinTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How the node finds the cluster: <c>seeds</c> (<see cref="ClusterSeeds"/>, or a cluster of its own without them),
    /// <c>config</c> (Akka's Cluster Bootstrap asks the management endpoints in <see cref="ClusterDiscoveryEndpoints"/>)
    /// or <c>kubernetes</c> (Cluster Bootstrap asks the Kubernetes API for the pods labelled for this service).
    /// </summary>
    public string ClusterDiscovery { get; init; } = "seeds";

    /// <summary>The nodes' management endpoints (<c>host:port</c>) that <c>config</c> discovery probes, this node's among them.</summary>
    public IReadOnlyList<string> ClusterDiscoveryEndpoints { get; init; } = [];

    /// <summary>This node's management (bootstrap) HTTP port, bound on <see cref="ClusterHostname"/>; opened only with bootstrap.</summary>
    public int ClusterManagementPort { get; init; } = 8558;

    /// <summary>How many contact points bootstrap must have heard from before the lowest of them forms a new cluster.</summary>
    public int ClusterRequiredContacts { get; init; } = 2;

    /// <summary>The name bootstrap looks up; with <c>kubernetes</c> it fills the label selector's <c>{0}</c>.</summary>
    public string ClusterDiscoveryServiceName { get; init; } = "switchboard";

    /// <summary>The pods' label selector with <c>kubernetes</c>; <c>{0}</c> is <see cref="ClusterDiscoveryServiceName"/>.</summary>
    public string ClusterDiscoveryLabelSelector { get; init; } = "app.kubernetes.io/name={0}";

    /// <summary>The namespace whose pods <c>kubernetes</c> discovery lists; null: the pod's own (its service account's).</summary>
    public string? ClusterDiscoveryNamespace { get; init; }

    /// <summary>How long SIGTERM waits for connections to close with 1001 before the process goes on stopping.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(10);
}

namespace Switchboard.Contracts;

/// <summary>Every refusal: <c>{"error":"code","message":"..."}</c>.</summary>
public sealed record ErrorBody(string Error, string Message);

/// <summary>A cluster-wide answer lists the nodes that did not answer within the deadline.</summary>
public interface IGathered
{
    IReadOnlyList<string> MissingNodes { get; }
}

public sealed record ClusterMember(string Address, IReadOnlyList<string> Roles, string Status, bool Reachable, string Version,
    bool IsLeader, bool IsSelf);

public sealed record ClusterView(string Self, string? Leader, IReadOnlyList<ClusterMember> Members);

/// <summary>One membership or reachability event (<c>member_up</c>, <c>member_left</c>, <c>member_removed</c>, <c>unreachable</c>, <c>reachable</c>, <c>leader_changed</c>, ...).</summary>
public sealed record ClusterEvent(DateTimeOffset At, string Type, string Address, string? Status);

/// <summary>A member to act on; null <see cref="Address"/> means the node that answers.</summary>
public sealed record MemberRequest(string? Address);

public sealed record ActionResult(bool Done, string Message);

public sealed record RegionsView(IReadOnlyList<string> Regions);

public sealed record NodeRegionStats(string Node, int Shards, int Entities);

public sealed record RegionStatsView(string Region, IReadOnlyList<NodeRegionStats> Nodes, IReadOnlyList<string> MissingNodes) : IGathered;

public sealed record ShardEntities(string ShardId, int Entities);

public sealed record NodeShardStats(string Node, IReadOnlyList<ShardEntities> Shards);

public sealed record ShardStatsView(string Region, IReadOnlyList<NodeShardStats> Nodes, IReadOnlyList<string> MissingNodes) : IGathered;

public sealed record ActorNode(string Path, IReadOnlyList<ActorNode> Children);

public sealed record ConnectionInfo(string ConnectionId, string UserId, string Node, string? RemoteAddress, DateTimeOffset ConnectedAt,
    IReadOnlyList<string> Groups, long MessagesIn, long MessagesOut, int OutboxDepth);

/// <summary>One page; <see cref="Next"/> is the <c>after</c> of the next page, null on the last.</summary>
public sealed record ConnectionPage(IReadOnlyList<ConnectionInfo> Connections, string? Next, IReadOnlyList<string> MissingNodes) : IGathered;

/// <summary>A stream's position with history on: its epoch, its last <c>seq</c>, and (a user's) how far the user confirmed it.</summary>
public sealed record StreamView(string Epoch, long Seq, long? DeliveredSeq = null);

/// <summary>A user's connections on every node; <see cref="Stream"/> is its stream's position with history on.</summary>
public sealed record UserView(string UserId, IReadOnlyList<ConnectionInfo> Connections, IReadOnlyList<string> MissingNodes,
    StreamView? Stream = null) : IGathered;

public sealed record GroupSummary(string Group, int Users, int Connections);

public sealed record GroupPage(IReadOnlyList<GroupSummary> Groups, string? Next, IReadOnlyList<string> MissingNodes) : IGathered;

public sealed record GroupMember(string UserId, int Connections);

/// <summary>How many users and connections presence counts in a group (PROTOCOL.md "Presence", <c>presence_stats</c>).</summary>
public sealed record PresenceCounts(int Users, int Connections);

/// <summary>
/// A group's members; <see cref="Stream"/> is its stream's position with history on, <see cref="Presence"/> its presence
/// counts when its namespace keeps presence (null when it does not).
/// </summary>
public sealed record GroupView(string Group, int Connections, IReadOnlyList<GroupMember> Members, StreamView? Stream = null,
    PresenceCounts? Presence = null);

/// <summary>Exactly one of <see cref="UserId"/> and <see cref="ConnectionId"/>; the reason defaults to <c>kicked</c>.</summary>
public sealed record KickRequest(string? UserId, string? ConnectionId, string? Reason);

public sealed record KickResult(int Closed, IReadOnlyList<string> Nodes, IReadOnlyList<string> MissingNodes) : IGathered;

/// <summary>The rates; after a set, <see cref="MissingNodes"/> names the members that did not apply them (none for a show).</summary>
public sealed record RateLimitView(string? Rate, IReadOnlyDictionary<string, string> PerRouteRates) : IGathered
{
    public IReadOnlyList<string> MissingNodes { get; init; } = [];
}

/// <summary>
/// A namespace's options as a node loaded them (PROTOCOL.md "Namespaces"). Null history fields take that node's global
/// settings; <see cref="HistoryTtl"/> is in seconds; <see cref="ClientPublish"/> is <c>anyone</c>, <c>members</c> or <c>none</c>.
/// </summary>
public sealed record NamespaceOptions(int? HistorySize, double? HistoryTtl, bool Presence, bool PresenceEvents, string ClientPublish,
    bool JoinHook, bool PublishHook, int MaxMembers);

/// <summary>
/// One node's namespace table: its fingerprint (equal on nodes whose tables are equal), whether it refuses groups of
/// unconfigured namespaces, the options of groups outside every configured namespace, and each namespace's by name.
/// </summary>
public sealed record NodeNamespaces(string Node, string Fingerprint, bool Strict, NamespaceOptions Default,
    IReadOnlyDictionary<string, NamespaceOptions> Namespaces);

/// <summary>Every Up node's namespace table; <see cref="Agree"/> when all that answered have the same fingerprint.</summary>
public sealed record NamespacesView(IReadOnlyList<NodeNamespaces> Nodes, bool Agree, IReadOnlyList<string> MissingNodes) : IGathered;

/// <summary>One namespace on one node: its options there, null where the node does not configure it.</summary>
public sealed record NodeNamespace(string Node, string Fingerprint, bool Strict, NamespaceOptions? Options);

/// <summary>One namespace on every Up node; <see cref="Agree"/> when all that answered have the same options for it.</summary>
public sealed record NamespaceView(string Name, IReadOnlyList<NodeNamespace> Nodes, bool Agree, IReadOnlyList<string> MissingNodes)
    : IGathered;

public sealed record NodeTop(string Node, string Status, long Connections, double MessagesInPerSecond, double MessagesOutPerSecond,
    double DeliveriesPerSecond, long Dropped, long ClosedSlow, double CpuPercent, long MemoryBytes);

public sealed record TopSample(DateTimeOffset At, IReadOnlyList<NodeTop> Nodes, NodeTop Totals, IReadOnlyList<string> MissingNodes) : IGathered;

/// <summary>
/// One of the application's hooks (PROTOCOL.md "Application hooks") on one node, or over every node that answered. Counts
/// are since each node started; <see cref="Calls"/> is every call asked, busy refusals included, and
/// <see cref="CallsPerSecond"/> their rate over the last 10 seconds (each node keeps a window of samples).
/// <see cref="P50Ms"/> and <see cref="P99Ms"/> are estimated from latency buckets (interpolated within one; a value past
/// the last bound, 10 s, shows as that bound); null before any call was made. <see cref="Transport"/> is how the hook is
/// reached: a URL's <c>host:port</c>, or <c>code</c>; null where it is not configured (over the cluster: every transport
/// of the nodes, comma-separated).
/// </summary>
public sealed record HookView(string Hook, bool Configured, string? Transport, double CallsPerSecond, double? P50Ms, double? P99Ms,
    long Calls, long Allowed, long Denied, long Failed, long TimedOut, long Busy)
{
    /// <summary>Calls that got no answer the action could use: failed, timed out, or refused as busy.</summary>
    public long Failures => Failed + TimedOut + Busy;
}

/// <summary>Every hook of one node, configured or not, in the order a connection meets them.</summary>
public sealed record NodeHooks(string Node, IReadOnlyList<HookView> Hooks);

/// <summary>Each Up node's hooks, and each hook over all of them (<see cref="Cluster"/>: configured on any node, counts summed).</summary>
public sealed record HooksView(IReadOnlyList<NodeHooks> Nodes, IReadOnlyList<HookView> Cluster, IReadOnlyList<string> MissingNodes)
    : IGathered;

/// <summary>
/// The first users of a group that keeps presence, in user-id order, and how many more it has: what the dashboard shows
/// of a large group, however large.
/// </summary>
public sealed record GroupUsers(string Group, IReadOnlyList<string> First, int More);

/// <summary>
/// What the dashboard page draws, once a second: the member list as this node sees it (<see cref="Self"/>), the
/// <see cref="TopSample"/> of every member, the cluster's largest groups by connections, largest first, and the users
/// of those of them that keep presence (<see cref="LargestGroupsUsers"/>, by group name; none for the others), and the
/// hooks configured on any node, over the cluster (<see cref="Hooks"/>; none without hooks).
/// </summary>
public sealed record DashboardSample(string Self, IReadOnlyList<ClusterMember> Members, TopSample Top,
    IReadOnlyList<GroupSummary> LargestGroups, IReadOnlyList<GroupUsers> LargestGroupsUsers, IReadOnlyList<HookView> Hooks);

using Switchboard.Actors.Delivery;
using Switchboard.Actors.Namespaces;
using Switchboard.Actors.Serialization;

namespace Switchboard.Actors.Admin;

/// <summary>
/// The admin API's questions to each node, and the node's answers. The HTTP side asks every Up member at once,
/// one message per node with a deadline; these are wire messages, the JSON answers are the records of Switchboard.Contracts.
/// A question about the node's connections goes to each of its partitions, and says how their parts add up.
/// </summary>
public static class AdminProtocol
{
    /// <summary>One connection of a node, as the admin API shows it; <paramref name="ConnectedAtMs"/> is unix milliseconds.</summary>
    public sealed record ConnectionEntry(string ConnectionId, string UserId, string? RemoteAddress, long ConnectedAtMs,
        string[] Groups, long MessagesIn, long MessagesOut, int OutboxDepth);

    /// <summary>
    /// To a node: its connections with an id after <paramref name="After"/> (ordinal), at most <paramref name="Limit"/>, of
    /// <paramref name="UserId"/> only when given.
    /// </summary>
    public sealed record ListConnections(string? UserId, string? After, int Limit) : IRoutingMessage, IPartitionQuestion
    {
        public object Merge(object[] parts, string node)
        {
            var lists = parts.Cast<ConnectionList>().ToList();
            var all = lists.SelectMany(l => l.Connections).OrderBy(c => c.ConnectionId, StringComparer.Ordinal).ToList();
            return new ConnectionList(node, all.Take(Limit).ToArray(), all.Count > Limit || lists.Any(l => l.More));
        }
    }

    /// <summary>A page of one node's connections, in id order; <paramref name="More"/> when the node has more after it.</summary>
    public sealed record ConnectionList(string Node, ConnectionEntry[] Connections, bool More) : IRoutingMessage;

    /// <summary>To a node: the groups with members here named after <paramref name="After"/>, at most <paramref name="Limit"/>.</summary>
    public sealed record ListGroups(string? After, int Limit) : IRoutingMessage, IPartitionQuestion
    {
        // A group with members in several partitions is named by each.
        public object Merge(object[] parts, string node)
        {
            var lists = parts.Cast<GroupList>().ToList();
            var names = lists.SelectMany(l => l.Groups).Distinct().Order(StringComparer.Ordinal).ToList();
            return new GroupList(node, names.Take(Limit).ToArray(), names.Count > Limit || lists.Any(l => l.More));
        }
    }

    /// <summary>A page of one node's group names, in ordinal order.</summary>
    public sealed record GroupList(string Node, string[] Groups, bool More) : IRoutingMessage;

    /// <summary>
    /// To a node: the names of its <paramref name="Limit"/> groups with the most connections here, largest first. Each partition
    /// answers with all its groups' sizes (<see cref="GroupSizes"/>), since a group's members here may be in several.
    /// </summary>
    public sealed record ListLargestGroups(int Limit) : IRoutingMessage, IPartitionQuestion
    {
        public object Merge(object[] parts, string node) => new LargestGroups(node, parts.Cast<GroupSizes>()
            .SelectMany(p => p.Sizes).GroupBy(s => s.Group, s => s.Members).Select(g => (Group: g.Key, Members: g.Sum()))
            .OrderByDescending(g => g.Members).ThenBy(g => g.Group, StringComparer.Ordinal)
            .Take(Limit).Select(g => g.Group).ToArray());
    }

    /// <summary>Within a node: each group with members in one partition, and how many.</summary>
    public sealed record GroupSizes((string Group, int Members)[] Sizes);

    /// <summary>One node's largest groups by its own connections, largest first (ties by name).</summary>
    public sealed record LargestGroups(string Node, string[] Groups) : IRoutingMessage;

    /// <summary>
    /// To a node: close the connections of <paramref name="UserId"/>, or the one connection <paramref name="ConnectionId"/>, with
    /// 1008 and <paramref name="Reason"/>. <paramref name="By"/> is the API key's name, for the audit line.
    /// </summary>
    public sealed record Kick(string? UserId, string? ConnectionId, string Reason, string By) : IRoutingMessage, IPartitionQuestion
    {
        public object Merge(object[] parts, string node) => new Kicked(node, parts.Cast<Kicked>().Sum(k => k.Closed));
    }

    /// <summary>How many connections a node closed for a <see cref="Kick"/>.</summary>
    public sealed record Kicked(string Node, int Closed) : IRoutingMessage;

    /// <summary>To a node's admin agent: drain and leave. <paramref name="By"/> is the API key's name.</summary>
    public sealed record DrainNode(string By) : IRoutingMessage;

    /// <summary>The answer to <see cref="DrainNode"/>; <paramref name="Started"/> is false when the node was already draining.</summary>
    public sealed record DrainStarted(string Node, bool Started) : IRoutingMessage;

    /// <summary>
    /// Sent to every other node's admin agent: the rate limiter's new settings as JSON (the Service's RateLimiterOptions),
    /// set on <paramref name="Origin"/> by <paramref name="By"/>.
    /// </summary>
    public sealed record RateLimitUpdate(string OptionsJson, string Origin, string By) : IRoutingMessage;

    /// <summary>The answer to <see cref="RateLimitUpdate"/>; <paramref name="Applied"/> is false when the node refused it.</summary>
    public sealed record RateLimitApplied(string Node, bool Applied) : IRoutingMessage;

    /// <summary>To a node's admin agent: the namespace table it has loaded now.</summary>
    public sealed class GetNamespaces : IRoutingMessage
    {
        public static readonly GetNamespaces Instance = new();

        private GetNamespaces()
        {
        }
    }

    /// <summary>
    /// The answer to <see cref="GetNamespaces"/>. The table's fingerprint is worked out again where it is read, from what
    /// came over the wire: nodes whose tables hold the same rules show the same one.
    /// </summary>
    public sealed record NamespacesLoaded(string Node, NamespaceTable Table) : IRoutingMessage;

    /// <summary>To a node's admin agent: its hooks, their calls and latencies.</summary>
    public sealed class GetHooks : IRoutingMessage
    {
        public static readonly GetHooks Instance = new();

        private GetHooks()
        {
        }
    }

    /// <summary>One hook's calls on one node since it started, by outcome (<see cref="Hooks.HookOutcome"/>).</summary>
    public sealed record HookCallCounts(long Allowed, long Denied, long Failed, long TimedOut, long Busy);

    /// <summary>
    /// One hook on one node: how it is reached when configured (<paramref name="Transport"/>: the URL's <c>host:port</c>, or
    /// <c>code</c>; null when it is off), its calls, the calls made per latency bucket (upper bounds
    /// <paramref name="LatencyBoundsMs"/>, then one bucket for the rest), and its calls per second over the agent's window.
    /// The bounds travel with the counts, so that a node of another build with other buckets is still read right.
    /// </summary>
    public sealed record HookState(string Hook, string? Transport, HookCallCounts Calls, double[] LatencyBoundsMs, long[] Latency,
        double PerSecond);

    /// <summary>The answer to <see cref="GetHooks"/>: every hook, configured or not, in the order a connection meets them.</summary>
    public sealed record HooksLoaded(string Node, HookState[] Hooks) : IRoutingMessage;
}

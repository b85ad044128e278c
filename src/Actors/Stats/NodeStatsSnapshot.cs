using Switchboard.Actors.Hub;
using Switchboard.Actors.Routing;
using Switchboard.Actors.Serialization;
using Switchboard.Streams;

namespace Switchboard.Actors.Stats;

/// <summary>
/// One node's figures at one moment: what <c>GET /ws/stats</c> shows, and what a cluster view adds up. CPU time and the
/// working set are the process's, for the admin API's <c>top</c>, which makes rates of two snapshots.
/// </summary>
public sealed record NodeStatsSnapshot(
    string Node,
    long Connections,
    long MaxConnections,
    long Users,
    long Groups,
    long MessagesIn,
    long MessagesOut,
    long BytesIn,
    long BytesOut,
    long Delivered,
    long Undeliverable,
    long Dropped,
    long BroadcastsDropped,
    long ClosedSlow,
    long Timeouts,
    long ControlFramesQueued,
    long Resent,
    long Unconfirmed,
    long RepeatsDropped,
    IReadOnlyDictionary<string, long> Errors,
    long UptimeSeconds,
    long CpuTimeMs = 0,
    long MemoryBytes = 0) : IRoutingMessage
{
    public static NodeStatsSnapshot Of(string node, int maxConnections, ConnectionSlots connections, ConnectionCounters c,
        RoutingCounters routing, TimeSpan uptime) =>
        new(node, connections.Count, maxConnections, connections.Users, routing.LocalGroups, c.MessagesIn, c.MessagesOut,
            c.BytesIn, c.BytesOut, routing.Delivered, routing.Undeliverable, c.Dropped, routing.BroadcastsDropped, c.ClosedSlow,
            c.Timeouts, c.QueuedControlFrames, routing.Resent, routing.Unconfirmed, routing.RepeatsDropped, new SortedDictionary<string, long>(c.Errors.ToDictionary()),
            (long)uptime.TotalSeconds, (long)Environment.CpuUsage.TotalTime.TotalMilliseconds, Environment.WorkingSet);

    /// <summary>The sum over <paramref name="nodes"/>; MaxConnections and uptime add up too, node names join.</summary>
    public static NodeStatsSnapshot Sum(IReadOnlyList<NodeStatsSnapshot> nodes) => new(
        string.Join(",", nodes.Select(n => n.Node)),
        nodes.Sum(n => n.Connections), nodes.Sum(n => n.MaxConnections), nodes.Sum(n => n.Users), nodes.Sum(n => n.Groups),
        nodes.Sum(n => n.MessagesIn), nodes.Sum(n => n.MessagesOut), nodes.Sum(n => n.BytesIn), nodes.Sum(n => n.BytesOut),
        nodes.Sum(n => n.Delivered), nodes.Sum(n => n.Undeliverable), nodes.Sum(n => n.Dropped),
        nodes.Sum(n => n.BroadcastsDropped), nodes.Sum(n => n.ClosedSlow), nodes.Sum(n => n.Timeouts),
        nodes.Sum(n => n.ControlFramesQueued), nodes.Sum(n => n.Resent), nodes.Sum(n => n.Unconfirmed), nodes.Sum(n => n.RepeatsDropped),
        new SortedDictionary<string, long>(nodes.SelectMany(n => n.Errors).GroupBy(e => e.Key)
            .ToDictionary(g => g.Key, g => g.Sum(e => e.Value))),
        nodes.Count == 0 ? 0 : nodes.Max(n => n.UptimeSeconds), nodes.Sum(n => n.CpuTimeMs), nodes.Sum(n => n.MemoryBytes));
}

/// <summary>Asks a node's <see cref="NodeStatsReporter"/> for its snapshot.</summary>
public sealed class GetNodeStats : IRoutingMessage
{
    public static readonly GetNodeStats Instance = new();

    private GetNodeStats()
    {
    }
}

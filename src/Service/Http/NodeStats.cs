using Switchboard.Actors.Hub;

namespace Switchboard.Service.Http;

/// <summary>The body of <c>GET /ws/stats</c> for this node.</summary>
public sealed record NodeStats(
    string Node,
    long Connections,
    long MaxConnections,
    long Users,
    long Groups,
    long MessagesIn,
    long MessagesOut,
    long BytesIn,
    long BytesOut,
    long Dropped,
    long ClosedSlow,
    IReadOnlyDictionary<string, long> Errors,
    long UptimeSeconds)
{
    public static NodeStats Of(ConnectionHub hub)
    {
        var c = hub.Counters;
        return new NodeStats(hub.Node, hub.Connections.Count, hub.Options.MaxConnections, hub.Connections.Users, Groups: 0,
            c.MessagesIn, c.MessagesOut, c.BytesIn, c.BytesOut, c.Dropped, c.ClosedSlow,
            new SortedDictionary<string, long>(c.Errors.ToDictionary()),
            (long)(DateTimeOffset.UtcNow - hub.StartedAt).TotalSeconds);
    }
}

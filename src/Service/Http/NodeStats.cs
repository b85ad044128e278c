using Akka.Actor;
using Microsoft.AspNetCore.Http;
using Switchboard.Actors.Hub;
using Switchboard.Actors.Routing;

namespace Switchboard.Service.Http;

/// <summary>The body of <c>GET /ws/stats</c> for this node; <c>?group=name</c> adds that group's membership.</summary>
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
    long Delivered,
    long Undeliverable,
    long Dropped,
    long BroadcastsDropped,
    long ClosedSlow,
    long Timeouts,
    IReadOnlyDictionary<string, long> Errors,
    long UptimeSeconds,
    GroupStats? Group)
{
    public static async Task<IResult> GetAsync(ConnectionHub hub, RoutingCounters routing, string? group = null)
    {
        GroupStats? groupStats = null;
        if (group is not null)
        {
            if (!Names.IsValid(group))
                return new ApiError("invalid_group", $"a group name is 1 to {Names.MaxLength} characters").ToResult(400);
            var members = await hub.Routing.Groups.Ask<GroupProtocol.Members>(new GroupProtocol.GetMembers(group), TimeSpan.FromSeconds(10));
            groupStats = new GroupStats(members.Group, members.Users.Count, members.Connections);
        }
        var c = hub.Counters;
        return Results.Json(new NodeStats(hub.Node, hub.Connections.Count, hub.Options.MaxConnections, hub.Connections.Users,
            routing.LocalGroups, c.MessagesIn, c.MessagesOut, c.BytesIn, c.BytesOut, routing.Delivered, routing.Undeliverable,
            c.Dropped, routing.BroadcastsDropped, c.ClosedSlow, c.Timeouts, new SortedDictionary<string, long>(c.Errors.ToDictionary()),
            (long)(DateTimeOffset.UtcNow - hub.StartedAt).TotalSeconds, groupStats), HttpJson.Options);
    }
}

/// <summary>One group's membership across the cluster: distinct users and connections.</summary>
public sealed record GroupStats(string Name, int Members, int Connections);

using System.Text.Json;
using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.Cluster;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Switchboard.Service.RateLimiting;
using Switchboard.Actors.Hub;
using Switchboard.Actors.Routing;
using Switchboard.Actors.Stats;
using Switchboard.Streams;

namespace Switchboard.Service.Http;

/// <summary>
/// <c>GET /ws/stats</c>: this node's figures; <c>?scope=cluster</c> sums every Up member and lists
/// each one's figures; <c>?group=name</c> adds that group's membership.
/// </summary>
public static class NodeStats
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(5);

    public static async Task<IResult> GetAsync(ConnectionHub hub, ActorSystem system, ConnectionSlots connections,
        ConnectionCounters counters, RoutingCounters routing, [FromServices] RateLimitCounters? limiter = null,
        [FromServices] Events.EventsSettings? events = null, [FromServices] Actors.Events.EventCounters? eventCounters = null,
        string? scope = null, string? group = null)
    {
        if (group is not null && Names.Check(group, NameKind.Group) is { } invalid)
            return ApiError.Of(invalid).ToResult(400);
        if (scope is not (null or "node" or "cluster"))
            return new ApiError("invalid_scope", "scope is \"node\" or \"cluster\"").ToResult(400);

        var local = NodeStatsSnapshot.Of(hub.Node, hub.Options.MaxConnections, connections, counters, routing, system.Uptime);
        JsonObject body;
        if (scope == "cluster")
        {
            var (nodes, silent) = await GatherAsync(system);
            body = ToJson(NodeStatsSnapshot.Sum(nodes));
            body["scope"] = "cluster";
            body["nodes"] = new JsonArray(nodes.Select(n => (JsonNode)ToJson(n)).ToArray());
            body["unreachable"] = new JsonArray(silent.Select(a => (JsonNode)a).ToArray());
        }
        else
        {
            body = ToJson(local);
        }
        if (limiter is not null)
            body["rate_limit"] = new JsonObject { ["allowed"] = limiter.Allowed, ["denied"] = limiter.Denied, ["store_failures"] = limiter.StoreFailures };
        // This node's, with Events:Url set (docs/operations.md).
        if (events?.Url is not null && eventCounters is not null)
            body["events"] = new JsonObject
            {
                ["sent"] = eventCounters.Sent, ["pending"] = eventCounters.Pending, ["retried"] = eventCounters.Retried,
                ["dropped"] = eventCounters.Dropped,
            };
        if (group is not null)
        {
            var members = await hub.Routing.Groups.Ask<Actors.Routing.GroupProtocol.Members>(
                new Actors.Routing.GroupProtocol.GetMembers(group), AskTimeout);
            body["group"] = new JsonObject
            {
                ["name"] = members.Group,
                ["members"] = members.Users.Count,
                ["connections"] = members.Connections,
            };
        }
        return Results.Json(body, HttpJson.Options);
    }

    private static JsonObject ToJson(NodeStatsSnapshot snapshot) =>
        JsonSerializer.SerializeToNode(snapshot, HttpJson.Options)!.AsObject();

    // Every Up member's reporter, asked at once; a member that does not answer is listed, not waited for.
    private static async Task<(List<NodeStatsSnapshot> Nodes, List<string> Silent)> GatherAsync(ActorSystem system)
    {
        var members = Cluster.Get(system).State.Members.Where(m => m.Status == MemberStatus.Up).ToList();
        var answers = await Task.WhenAll(members.Select(async m =>
        {
            try
            {
                return (m.Address, Stats: await system.ActorSelection(m.Address + NodeStatsReporter.Path)
                    .Ask<NodeStatsSnapshot>(GetNodeStats.Instance, AskTimeout));
            }
            catch (Exception e) when (e is AskTimeoutException or ActorNotFoundException)
            {
                return (m.Address, Stats: (NodeStatsSnapshot?)null);
            }
        }));
        return (answers.Where(a => a.Stats is not null).Select(a => a.Stats!).OrderBy(s => s.Node, StringComparer.Ordinal).ToList(),
            answers.Where(a => a.Stats is null).Select(a => $"{a.Address.Host}:{a.Address.Port}").ToList());
    }
}

using Akka.Actor;
using Akka.Cluster;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Switchboard.Actors.Hub;
using Switchboard.Service.Hosting;

namespace Switchboard.Service.Http;

public static class SwitchboardEndpoints
{
    /// <summary>
    /// Maps the hub under <paramref name="prefix"/>: the WebSocket endpoint itself, <c>/health</c>,
    /// <c>/stats</c>, <c>/message</c>, <c>/broadcast</c>, <c>/groups/{name}</c> and <c>/users/{id}</c>.
    /// </summary>
    public static RouteGroupBuilder MapSwitchboard(this IEndpointRouteBuilder endpoints, string prefix = "/ws")
    {
        var hub = endpoints.MapGroup(prefix);
        hub.Map("", WebSocketEndpoint.HandleAsync);
        hub.MapGet("/health", (NodeState node, ConnectionHub connections, ActorSystem system) =>
        {
            var cluster = Cluster.Get(system);
            return Results.Json(new
            {
                status = node.Status,
                node = connections.Node,
                connections = connections.Connections.Count,
                member_status = cluster.SelfMember.Status.ToString(),
                cluster_members = cluster.State.Members.Count(m => m.Status == MemberStatus.Up),
            }, HttpJson.Options, statusCode: node.IsServing ? 200 : 503);
        });
        hub.MapGet("/stats", NodeStats.GetAsync);
        hub.MapPost("/message", MessagingEndpoints.SendMessageAsync);
        hub.MapPost("/broadcast", MessagingEndpoints.BroadcastAsync);
        hub.MapGet("/groups/{name}", MessagingEndpoints.GroupAsync);
        hub.MapGet("/users/{id}", MessagingEndpoints.UserAsync);
        return hub;
    }
}

using Akka.Actor;
using Akka.Cluster;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Actors.Hub;
using Switchboard.Service.Hosting;

namespace Switchboard.Service.Http;

public static class SwitchboardEndpoints
{
    // Routing needs a node that is a member: starting, draining or removed, it sends callers to another.
    private static async ValueTask<object?> RefuseUnlessServing(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var node = context.HttpContext.RequestServices.GetRequiredService<NodeState>();
        return node.IsServing
            ? await next(context)
            : new ApiError("not_serving", $"this node is {node.Status}; send to another node").ToResult(503);
    }

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
        // Liveness: the process answers. A supervisor must not restart a node merely for waiting to join.
        hub.MapGet("/health/live", (NodeState node, ConnectionHub connections) =>
            Results.Json(new { status = "alive", node = connections.Node, serving = node.IsServing }, HttpJson.Options));
        hub.MapGet("/stats", NodeStats.GetAsync);
        var routing = hub.MapGroup("").AddEndpointFilter(RefuseUnlessServing);
        routing.MapPost("/message", MessagingEndpoints.SendMessageAsync);
        routing.MapPost("/broadcast", MessagingEndpoints.BroadcastAsync);
        routing.MapGet("/groups/{name}", MessagingEndpoints.GroupAsync);
        routing.MapGet("/users/{id}", MessagingEndpoints.UserAsync);
        return hub;
    }
}

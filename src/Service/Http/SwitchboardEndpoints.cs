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
    /// <c>/stats</c>, <c>/message</c>, <c>/broadcast</c> and <c>/groups/{name}</c>.
    /// </summary>
    public static RouteGroupBuilder MapSwitchboard(this IEndpointRouteBuilder endpoints, string prefix = "/ws")
    {
        var hub = endpoints.MapGroup(prefix);
        hub.Map("", WebSocketEndpoint.HandleAsync);
        hub.MapGet("/health", (NodeState node, ConnectionHub connections) =>
            Results.Json(new { status = node.Status, node = connections.Node, connections = connections.Connections.Count },
                HttpJson.Options, statusCode: node.IsServing ? 200 : 503));
        hub.MapGet("/stats", NodeStats.GetAsync);
        hub.MapPost("/message", MessagingEndpoints.SendMessageAsync);
        hub.MapPost("/broadcast", MessagingEndpoints.BroadcastAsync);
        hub.MapGet("/groups/{name}", MessagingEndpoints.GroupAsync);
        return hub;
    }
}

using Akka.Actor;
using Akka.Cluster;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Switchboard.Actors.Hub;
using Switchboard.Contracts;
using Switchboard.Service.Admin;
using Switchboard.Service.Auth;
using Switchboard.Service.Dashboard;
using Switchboard.Service.Hosting;
using Switchboard.Service.Metrics;
using Switchboard.Service.RateLimiting;

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

    // One filter per scope, made once at mapping.
    private static Func<EndpointFilterInvocationContext, EndpointFilterDelegate, ValueTask<object?>> Require(ApiScopes scope) =>
        (context, next) => Refusal(context.HttpContext, scope) is { } refusal
            ? ValueTask.FromResult<object?>(refusal.Error.ToResult(refusal.Status))
            : next(context);

    // Every route of the hub mapped for a method that changes state gets the cross-site rule as its first filter, before
    // the key is looked at: a page cannot learn from the answer whether a key is valid, and a route added later, whatever
    // its scope, cannot forget it. The WebSocket endpoint takes every method but changes nothing on a POST (it refuses it).
    private static void RefuseCrossSite(EndpointBuilder endpoint)
    {
        if (!endpoint.Metadata.OfType<IHttpMethodMetadata>().Any(m => m.HttpMethods.Any(CrossSiteRequests.ChangesState)))
            return;
        endpoint.FilterFactories.Add((_, next) => context =>
        {
            if (CrossSiteRequests.Refusal(context.HttpContext.Request) is not { } refusal)
                return next(context);
            context.HttpContext.RequestServices.GetRequiredService<AuthRefusals>().Record(refusal.Error.Error);
            return ValueTask.FromResult<object?>(refusal.Error.ToResult(refusal.Status));
        });
    }

    /// <summary>
    /// Null when the call may go on, with its caller in the request's features for the checks an endpoint makes itself
    /// (impersonate); else the refusal to answer, logged when the key is known and counted.
    /// </summary>
    public static ApiRefusal? Refusal(HttpContext http, ApiScopes scope)
    {
        var access = http.RequestServices.GetRequiredService<ApiAccess>();
        // A key sent to a node without keys is never checked: the answer says so, for the caller to tell its user.
        if (access.ProtectedMode)
            http.Response.Headers[ApiKeys.NoKeysHeader] = ApiKeys.NoKeysValue;
        var decision = access.Decide(scope, ApiRequest.Of(http));
        if (decision.Refusal is not { } refusal)
        {
            http.Features.Set(decision.Caller);
            return null;
        }
        if (decision.Caller is { } known)
            LogForbidden(http, known, scope);
        http.RequestServices.GetRequiredService<AuthRefusals>().Record(refusal.Error.Error);
        return refusal;
    }

    // A key's name, never the key: enough for an operator to see which caller needs which scope.
    private static void LogForbidden(HttpContext http, ApiCaller caller, ApiScopes scope) =>
        http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ApiAccess))
            .LogInformation("API key {KeyName} lacks the {Scope} scope for {Method} {Path}", caller.Name, ApiAccess.NameOf(scope),
                http.Request.Method, http.Request.Path);

    /// <summary>
    /// Maps the hub under <paramref name="prefix"/>: the WebSocket endpoint itself, <c>/health</c>,
    /// <c>/stats</c>, <c>/message</c>, <c>/broadcast</c>, <c>/groups/{name}</c>, <c>/users/{id}</c>, the admin API under <c>/admin</c> and the
    /// dashboard page at <c>/dashboard</c>. The WebSocket endpoint, the health probes and the dashboard page are open; the rest
    /// need an API key with their scope (docs/security.md), and those that change state a JSON body from no other origin.
    /// The probes and the admin API are exempt from the rate limiter's global rate (<see cref="ExemptFromGlobalRateAttribute"/>).
    /// <c>GET /metrics</c> goes at the root, whatever the prefix (docs/operations.md).
    /// </summary>
    public static RouteGroupBuilder MapSwitchboard(this IEndpointRouteBuilder endpoints, string prefix = "/ws")
    {
        endpoints.MapMetrics();
        var hub = endpoints.MapGroup(prefix);
        ((IEndpointConventionBuilder)hub).Add(RefuseCrossSite);
        hub.Map("", WebSocketEndpoint.HandleAsync);
        hub.MapGet("/health", (NodeState node, ConnectionHub connections, ActorSystem system) =>
        {
            var cluster = Cluster.Get(system);
            return Results.Json(new
            {
                status = node.Status,
                node = connections.Node,
                connections = connections.Slots.Count,
                member_status = cluster.SelfMember.Status.ToString(),
                cluster_members = cluster.State.Members.Count(m => m.Status == MemberStatus.Up),
            }, HttpJson.Options, statusCode: node.IsServing ? 200 : 503);
        }).ExemptFromGlobalRate();
        // Liveness: the process answers. A supervisor must not restart a node merely for waiting to join.
        hub.MapGet("/health/live", (NodeState node, ConnectionHub connections) =>
            Results.Json(new { status = "alive", node = connections.Node, serving = node.IsServing }, HttpJson.Options)).ExemptFromGlobalRate();

        // Open like the probes: the page holds nothing; its data stream is the admin API's.
        hub.MapDashboard();

        var read = hub.MapGroup("").AddEndpointFilter(Require(ApiScopes.Read));
        read.MapGet("/stats", NodeStats.GetAsync);
        var lookups = read.MapGroup("").AddEndpointFilter(RefuseUnlessServing);
        lookups.MapGet("/groups/{name}", MessagingEndpoints.GroupAsync);
        lookups.MapGet("/groups/{name}/history", MessagingEndpoints.GroupHistoryAsync);
        lookups.MapGet("/groups/{name}/presence", (string name, HttpRequest request, ConnectionHub hub) =>
            MessagingEndpoints.PresenceAsync(name, request, hub, stats: false));
        lookups.MapGet("/groups/{name}/presence_stats", (string name, HttpRequest request, ConnectionHub hub) =>
            MessagingEndpoints.PresenceAsync(name, request, hub, stats: true));
        lookups.MapGet("/users/{id}", MessagingEndpoints.UserAsync);
        lookups.MapGet("/users/{id}/history", MessagingEndpoints.UserHistoryAsync);

        var publish = hub.MapGroup("").AddEndpointFilter(Require(ApiScopes.Publish)).AddEndpointFilter(RefuseUnlessServing);
        publish.MapPost("/message", MessagingEndpoints.SendMessageAsync);
        publish.MapPost("/broadcast", MessagingEndpoints.BroadcastAsync);

        // The operator's API (docs/admin-api.md). Not refused while the node is not serving: a starting or draining node
        // is exactly the one an operator looks at. Like the probes, out of the global rate's reach, so that a mistaken
        // `ratelimit set` can be set back.
        hub.MapGroup("").AddEndpointFilter(Require(ApiScopes.Admin)).ExemptFromGlobalRate().MapAdmin();
        return hub;
    }
}

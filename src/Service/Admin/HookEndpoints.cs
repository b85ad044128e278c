using Akka.Actor;
using Akka.Cluster;
using Microsoft.AspNetCore.Http;
using Switchboard.Actors.Admin;
using Switchboard.Contracts;

namespace Switchboard.Service.Admin;

/// <summary>
/// <c>GET admin/hooks</c>: each Up node's hooks, configured or not, with their calls by outcome, latency and rate, asked of
/// every node's admin agent at once; and each hook over the cluster. Also what the dashboard shows of the hooks.
/// </summary>
public static class HookEndpoints
{
    public static async Task<IResult> ListAsync(ActorSystem system) => AdminEndpoints.Json(await GatherAsync(system));

    /// <summary>The hooks of <paramref name="members"/> (every Up member when null), nodes in name order.</summary>
    public static async Task<HooksView> GatherAsync(ActorSystem system, IReadOnlyList<Member>? members = null, TimeSpan? deadline = null)
    {
        var (answers, missing) = await ClusterGather.AskAllAsync<AdminProtocol.HooksLoaded>(system, AdminAgent.Path,
            AdminProtocol.GetHooks.Instance, members, deadline);
        var nodes = answers.OrderBy(a => a.Node, StringComparer.Ordinal).ToList();
        var cluster = nodes.SelectMany(n => n.Hooks).GroupBy(h => h.Hook).Select(Sum).ToList();
        return new HooksView(nodes.Select(n => new NodeHooks(n.Node, n.Hooks.Select(View).ToList())).ToList(), cluster,
            missing.Order(StringComparer.Ordinal).ToList());
    }

    private static HookView View(AdminProtocol.HookState h) => new(h.Hook, h.Transport is not null, h.Transport, h.PerSecond,
        LatencyBuckets.Quantile(h.LatencyBoundsMs, h.Latency, 0.5), LatencyBuckets.Quantile(h.LatencyBoundsMs, h.Latency, 0.99),
        h.Calls.Allowed + h.Calls.Denied + h.Calls.Failed + h.Calls.TimedOut + h.Calls.Busy,
        h.Calls.Allowed, h.Calls.Denied, h.Calls.Failed, h.Calls.TimedOut, h.Calls.Busy);

    // The buckets add up where the nodes have the same bounds (one build); a node of other bounds keeps its counts and
    // rate in the sums but not its latencies.
    private static HookView Sum(IGrouping<string, AdminProtocol.HookState> hook)
    {
        var views = hook.Select(View).ToList();
        var bounds = hook.First().LatencyBoundsMs;
        var alike = hook.Where(h => h.LatencyBoundsMs.SequenceEqual(bounds) && h.Latency.Length == bounds.Length + 1).ToList();
        var latency = Enumerable.Range(0, bounds.Length + 1).Select(i => alike.Sum(h => h.Latency[i])).ToArray();
        var transports = hook.Select(h => h.Transport).OfType<string>().Distinct().Order(StringComparer.Ordinal).ToList();
        return new HookView(hook.Key, transports.Count > 0, transports.Count == 0 ? null : string.Join(", ", transports),
            views.Sum(v => v.CallsPerSecond), LatencyBuckets.Quantile(bounds, latency, 0.5), LatencyBuckets.Quantile(bounds, latency, 0.99),
            views.Sum(v => v.Calls), views.Sum(v => v.Allowed), views.Sum(v => v.Denied), views.Sum(v => v.Failed),
            views.Sum(v => v.TimedOut), views.Sum(v => v.Busy));
    }
}

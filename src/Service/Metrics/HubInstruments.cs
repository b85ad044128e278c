using System.Diagnostics.Metrics;
using Akka.Actor;
using Akka.Cluster;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Switchboard.Actors.Hub;
using Switchboard.Actors.Routing;
using Switchboard.Service.Auth;
using Switchboard.Streams;

namespace Switchboard.Service.Metrics;

/// <summary>
/// The hub's series on the <see cref="SwitchboardMeter"/>: observable instruments that read the node's existing counters
/// when Prometheus scrapes, so the message paths pay nothing for them beyond the counters they already kept. Published when
/// the host starts, once the actor system runs. Every label comes from a fixed set (close codes, socket failure kinds, drop
/// reasons, delivery kinds, member statuses, entity types, refusal reasons, configured rate-limit routes): never a user,
/// connection or group.
/// </summary>
public sealed class HubInstruments(IServiceProvider services, MetricsOptions options) : IHostedService
{
    private static readonly (MemberStatus Status, string Label)[] Statuses =
    [
        (MemberStatus.Joining, "joining"), (MemberStatus.WeaklyUp, "weakly_up"), (MemberStatus.Up, "up"),
        (MemberStatus.Leaving, "leaving"), (MemberStatus.Exiting, "exiting"), (MemberStatus.Down, "down"),
        (MemberStatus.Removed, "removed"),
    ];

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Enabled)
            Publish(services.GetRequiredService<SwitchboardMeter>().Meter);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void Publish(Meter meter)
    {
        var connections = services.GetRequiredService<ConnectionSlots>();
        var counters = services.GetRequiredService<ConnectionCounters>();
        var routing = services.GetRequiredService<RoutingCounters>();
        var refusals = services.GetRequiredService<AuthRefusals>();
        var rateLimits = services.GetRequiredService<RateLimitDecisions>();
        var census = services.GetRequiredService<ShardingCensus>();
        var cluster = Cluster.Get(services.GetRequiredService<ActorSystem>());

        meter.CreateObservableGauge("switchboard.connections", () => connections.Count,
            description: "Open WebSocket connections on this node");
        meter.CreateObservableCounter("switchboard.connections.opened", () => counters.Opened,
            description: "WebSocket connections this node has run");
        meter.CreateObservableCounter("switchboard.connections.closed", () =>
                ClosedCodes.Labels.Select((code, i) => new Measurement<long>(counters.ClosedWith(i), Tag("code", code))),
            description: "Finished connections by the close code this node sent (1006: ended without a close frame)");
        meter.CreateObservableCounter("switchboard.socket.failures", () => SocketFailures.Kinds.Select(kind =>
                new Measurement<long>(counters.SocketFailed(kind), Tag("kind", SocketFailures.Label(kind)))),
            description: "Reads and writes on clients' sockets that failed, by kind: reset (by the peer or the network), "
                + "aborted (by this host), unexpected (a fault)");
        meter.CreateObservableCounter("switchboard.messages.received", () => counters.MessagesIn,
            description: "Messages received from this node's clients");
        meter.CreateObservableCounter("switchboard.messages.sent", () => counters.MessagesOut,
            description: "Messages written to this node's clients' sockets");
        meter.CreateObservableCounter("switchboard.deliveries", () => new[]
            {
                new Measurement<long>(routing.DeliveredAs(DeliveryKind.Direct), Tag("kind", "direct")),
                new Measurement<long>(routing.DeliveredAs(DeliveryKind.Group), Tag("kind", "group")),
                new Measurement<long>(routing.DeliveredAs(DeliveryKind.Broadcast), Tag("kind", "broadcast")),
            },
            description: "Messages handed to a recipient connection's buffer on this node, by how they were addressed");
        meter.CreateObservableCounter("switchboard.direct.sent_here", () => routing.SentHere,
            description: "Direct messages from this node's clients offered straight to the recipient's connections here, under the "
                + "lease its user's entity gave (every connection of the recipient on this node, history off); the rest go through the entity");
        meter.CreateObservableCounter("switchboard.messages.dropped", () => new[]
            {
                new Measurement<long>(counters.Dropped, Tag("reason", "buffer_full")),
                new Measurement<long>(routing.BroadcastsDropped, Tag("reason", "broadcast_queue_full")),
                new Measurement<long>(routing.Undeliverable, Tag("reason", "no_recipient")),
                new Measurement<long>(routing.Unconfirmed, Tag("reason", "unconfirmed")),
                new Measurement<long>(routing.RepeatsDropped, Tag("reason", "duplicate")),
            },
            description: "Messages or deliveries this node did not make, by reason");
        var history = services.GetRequiredService<Actors.History.HistoryBudget>();
        meter.CreateObservableGauge("switchboard.history.messages", () => history.Messages,
            description: "Messages the streams kept on this node hold for resume (History:Store=memory)");
        meter.CreateObservableCounter("switchboard.resumes", () => new[]
            {
                new Measurement<long>(routing.Resumes(true), Tag("recovered", "true")),
                new Measurement<long>(routing.Resumes(false), Tag("recovered", "false")),
            },
            description: "Stream resumes this node answered, by whether the history reached back to the client's position");
        var store = services.GetService<Actors.History.IStreamStore>();
        meter.CreateObservableCounter("switchboard.history.store_failures", () => store?.Failures ?? 0L,
            description: "Calls to the history store (History:Store=redis) that failed; always 0 with the memory store, which cannot fail");
        meter.CreateObservableCounter("switchboard.slow_consumers.closed", () => counters.ClosedSlow,
            description: "Connections closed with 1013 for not reading their messages (CloseOnBackpressure)");
        meter.CreateObservableCounter("switchboard.heartbeat.timeouts", () => counters.Timeouts,
            description: "Connections closed with 4408 for staying silent past ConnectionTimeout");
        meter.CreateObservableCounter("switchboard.ratelimit.decisions", () => rateLimits.ByRoute().SelectMany(r => new[]
            {
                new Measurement<long>(r.Allowed, Tag("route", r.Route), Tag("result", "allowed")),
                new Measurement<long>(r.Denied, Tag("route", r.Route), Tag("result", "denied")),
            }),
            description: "The HTTP rate limiter's decisions by configured route (others: default) and result");
        meter.CreateObservableGauge("switchboard.cluster.members", () =>
            {
                var members = cluster.State.Members;
                return Statuses.Select(s => new Measurement<int>(members.Count(m => m.Status == s.Status), Tag("status", s.Label)));
            },
            description: "Cluster members by status, as this node sees the cluster");
        meter.CreateObservableGauge("switchboard.sharding.entities", () =>
                ShardingCensus.Types.Select((type, i) => new Measurement<int>(census.Entities(i), Tag("type", type))),
            description: "Sharded entities hosted by this node's shard regions, by type (refreshed every Metrics:ShardingRefreshSeconds)");
        meter.CreateObservableCounter("switchboard.auth.refusals", () =>
                AuthRefusals.Reasons.Select((reason, i) => new Measurement<long>(refusals.Count(i), Tag("reason", reason))),
            description: "Upgrades and API calls refused for identity or access, by the error code answered");
    }

    private static KeyValuePair<string, object?> Tag(string name, string value) => new(name, value);
}

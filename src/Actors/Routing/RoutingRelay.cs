using Akka.Actor;
using Akka.Event;
using Akka.Hosting;
using Switchboard.Actors.Delivery;
using Switchboard.Streams.Json;
using static Switchboard.Actors.Routing.RelayProtocol;

namespace Switchboard.Actors.Routing;

/// <summary>
/// The one sender of a node's routed messages: it numbers each, hands it to the user or group shard region and
/// sends it again every <see cref="RoutingRelayOptions.ResendAfter"/> until the router entity confirms it, for up to
/// <see cref="RoutingRelayOptions.GiveUpAfter"/>. Receiving nodes drop the second copy of a resent message
/// (<see cref="DeliveredStamps"/>), so a shard handoff or a downed node costs time, not messages. The sender's
/// ack or error is sent from here, once, when every recipient node has the message (or the router refused it).
/// </summary>
public sealed class RoutingRelay : ReceiveActor, IWithTimers
{
    private static readonly FrameError Overloaded =
        new("unavailable", "too many messages are waiting for their routers on this node; send again later");

    private static readonly FrameError Unconfirmed =
        new("unavailable", "the message's router did not confirm it in time; it may not have been delivered");

    private readonly RoutingRelayOptions _options;
    private readonly IActorRef _users;
    private readonly IActorRef _groups;
    private readonly RoutingCounters _counters;
    private readonly Dictionary<long, Pending> _pending = new();
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private long _lastSeq;

    public RoutingRelay(RoutingRelayOptions options, IActorRef users, IActorRef groups, RoutingCounters counters)
    {
        _options = options;
        _users = users;
        _groups = groups;
        _counters = counters;
        Receive<Relay>(Send);
        Receive<Routed>(Confirmed);
        Receive<Delivered>(Confirmed);
        Receive<ResendOverdue>(_ => Resend());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart() =>
        Timers.StartPeriodicTimer(ResendOverdue.Instance, ResendOverdue.Instance, _options.ResendAfter / 2);

    private void Send(Relay relay)
    {
        if (_pending.Count >= _options.MaxPending)
        {
            Refuse(relay.Reply, Overloaded);
            return;
        }
        var message = relay.Message.Stamped(new RelayStamp(Self, ++_lastSeq, Resent: false));
        var now = Environment.TickCount64;
        _pending[_lastSeq] = new Pending(message, relay.Reply, now);
        RegionOf(message).Tell(message);
    }

    private void Confirmed(Routed routed)
    {
        if (_pending.Remove(routed.Seq, out var pending))
            Reply(pending, routed.Refusal, routed.StreamSeq);
    }

    private void Confirmed(Delivered delivered)
    {
        // A confirmation of a message already done finds nothing: the sender heard once.
        if (!_pending.TryGetValue(delivered.Seq, out var pending) || !pending.AllNodesHave(delivered, Sender))
            return;
        _pending.Remove(delivered.Seq);
        Reply(pending, null, delivered.StreamSeq);
    }

    private static void Reply(Pending pending, FrameError? refusal, long streamSeq)
    {
        if (pending.Reply is not { } reply)
            return;
        if (refusal is not null)
            reply.Delivery.Tell(new DeliveryProtocol.Rejected(reply.ConnectionId, reply.Id, refusal));
        else if (!reply.Id.IsEmpty)
            reply.Delivery.Tell(new DeliveryProtocol.Accepted(reply.ConnectionId, reply.Id, streamSeq));
    }

    private void Resend()
    {
        var now = Environment.TickCount64;
        var resendBefore = now - (long)_options.ResendAfter.TotalMilliseconds;
        var giveUpBefore = now - (long)_options.GiveUpAfter.TotalMilliseconds;
        List<long>? expired = null;
        foreach (var (seq, pending) in _pending)
        {
            if (pending.LastSentAt > resendBefore)
                continue;
            if (pending.FirstSentAt <= giveUpBefore)
            {
                (expired ??= []).Add(seq);
                continue;
            }
            if (pending.Message.Stamp is { Resent: false } first)
                pending.Message = pending.Message.Stamped(first with { Resent = true });
            pending.LastSentAt = now;
            _counters.RecordResent();
            RegionOf(pending.Message).Tell(pending.Message);
        }
        if (expired is null)
            return;
        foreach (var seq in expired)
        {
            _pending.Remove(seq, out var pending);
            Refuse(pending!.Reply, Unconfirmed);
        }
        _log.Warning("{Count} routed messages were not confirmed by their routers within {Seconds}s; given up", expired.Count,
            _options.GiveUpAfter.TotalSeconds);
    }

    private void Refuse(ReplyTarget? reply, FrameError error)
    {
        _counters.RecordUnconfirmed();
        reply?.Delivery.Tell(new DeliveryProtocol.Rejected(reply.ConnectionId, reply.Id, error));
    }

    private IActorRef RegionOf(IRelayed message) => message is UserProtocol.IUserMessage ? _users : _groups;

    public static Props PropsFor(RoutingRelayOptions options, IActorRef users, IActorRef groups, RoutingCounters counters) =>
        Props.Create(() => new RoutingRelay(options, users, groups, counters));

    private sealed class Pending(IRelayed message, ReplyTarget? reply, long sentAt)
    {
        /// <summary>For routes to several nodes: the nodes that confirmed, by route. Most messages never need it.</summary>
        private Dictionary<long, HashSet<IActorRef>>? _confirmedBy;

        public IRelayed Message { get; set; } = message;
        public ReplyTarget? Reply { get; } = reply;
        public long FirstSentAt { get; } = sentAt;
        public long LastSentAt { get; set; } = sentAt;

        /// <summary>Counts <paramref name="node"/>'s confirmation; true once every node of its route has confirmed.</summary>
        public bool AllNodesHave(Delivered delivered, IActorRef node)
        {
            if (delivered.Nodes <= 1)
                return true;
            _confirmedBy ??= new Dictionary<long, HashSet<IActorRef>>();
            if (!_confirmedBy.TryGetValue(delivered.Route, out var nodes))
                _confirmedBy[delivered.Route] = nodes = [];
            nodes.Add(node);
            return nodes.Count >= delivered.Nodes;
        }
    }

    private sealed class ResendOverdue
    {
        public static readonly ResendOverdue Instance = new();
    }
}

/// <summary>
/// How long the relay waits for a router before sending again, when it gives up (and tells the sender
/// <c>unavailable</c>), and how many unconfirmed messages it holds before it refuses new ones.
/// </summary>
public sealed record RoutingRelayOptions(TimeSpan ResendAfter, TimeSpan GiveUpAfter, int MaxPending)
{
    /// <summary>Give-up is past the time the split brain resolver takes to down a frozen node and its shards to move.</summary>
    public static readonly RoutingRelayOptions Default = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), 100_000);
}

public static class RoutingRelayHostingExtensions
{
    /// <summary>Starts this node's relay (after the routers), registered under <see cref="RoutingRelay"/>.</summary>
    public static AkkaConfigurationBuilder AddRoutingRelay(this AkkaConfigurationBuilder builder, RoutingRelayOptions options,
        RoutingCounters counters) =>
        builder.WithActors((system, registry) =>
            registry.Register<RoutingRelay>(system.ActorOf(RoutingRelay.PropsFor(options, registry.Get<UserRouter>(),
                registry.Get<GroupRouter>(), counters), "routing-relay")));
}

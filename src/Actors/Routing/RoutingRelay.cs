using Akka.Actor;
using Akka.Event;
using Akka.Hosting;
using Switchboard.Actors.Delivery;
using Switchboard.Streams.Json;
using static Switchboard.Actors.Routing.RelayProtocol;

namespace Switchboard.Actors.Routing;

/// <summary>
/// Settles a node's <see cref="RelayLedger"/>: the entities and recipient nodes confirm here (the stamp of every
/// message sent through the ledger names this actor; a message routed to this node alone is settled by its delivery
/// actor in the ledger itself), and every <see cref="RoutingRelayOptions.ResendAfter"/> it sends
/// again what is unconfirmed, for up to <see cref="RoutingRelayOptions.GiveUpAfter"/>. Receiving nodes drop the second
/// copy of a resent message (<see cref="Delivery.State.DeliveredStamps"/>), so a shard handoff or a downed node costs time, not
/// messages. The sender's ack or error is sent from here, once, when every recipient node has the message (or the
/// entity refused it).
/// </summary>
public sealed class RoutingRelay : ReceiveActor, IWithTimers
{
    private static readonly FrameError Unconfirmed =
        new("unavailable", "the message's router did not confirm it in time; it may not have been delivered");

    private readonly RelayLedger _ledger;
    private readonly RoutingCounters _counters;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    public RoutingRelay(RelayLedger ledger, RoutingCounters counters)
    {
        _ledger = ledger;
        _counters = counters;
        Receive<Routed>(Confirmed);
        Receive<Delivered>(Confirmed);
        Receive<ResendOverdue>(_ => Resend());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart() =>
        Timers.StartPeriodicTimer(ResendOverdue.Instance, ResendOverdue.Instance, _ledger.Options.ResendAfter / 2);

    private void Confirmed(Routed routed)
    {
        if (_ledger.TryRemove(routed.Seq, out var pending))
            RelayLedger.Answer(pending, routed.Refusal, routed.StreamSeq);
    }

    private void Confirmed(Delivered delivered)
    {
        // A confirmation of a message already done finds nothing: the sender heard once.
        if (!_ledger.TryGet(delivered.Seq, out var pending) || !pending.AllNodesHave(delivered, Sender))
            return;
        if (_ledger.TryRemove(delivered.Seq, out _))
            RelayLedger.Answer(pending, null, delivered.StreamSeq);
    }

    private void Resend()
    {
        var now = Environment.TickCount64;
        var resendBefore = now - (long)_ledger.Options.ResendAfter.TotalMilliseconds;
        var giveUpBefore = now - (long)_ledger.Options.GiveUpAfter.TotalMilliseconds;
        List<long>? expired = null;
        foreach (var (seq, pending) in _ledger.Entries)
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
            _ledger.Resend(pending);
        }
        if (expired is null)
            return;
        foreach (var seq in expired)
        {
            if (_ledger.TryRemove(seq, out var pending))
                _ledger.Refuse(pending.Reply, Unconfirmed);
        }
        _log.Warning("{Count} routed messages were not confirmed by their entities within {Seconds}s; given up", expired.Count,
            _ledger.Options.GiveUpAfter.TotalSeconds);
    }

    public static Props PropsFor(RelayLedger ledger, RoutingCounters counters) =>
        Props.Create(() => new RoutingRelay(ledger, counters));

    private sealed class ResendOverdue
    {
        public static readonly ResendOverdue Instance = new();
    }
}

/// <summary>
/// How long the relay waits for an entity before sending again, when it gives up (and tells the sender
/// <c>unavailable</c>), and how many unconfirmed messages a node holds before it refuses new ones.
/// </summary>
public sealed record RoutingRelayOptions(TimeSpan ResendAfter, TimeSpan GiveUpAfter, int MaxPending)
{
    /// <summary>Give-up is past the time the split brain resolver takes to down a frozen node and its shards to move.</summary>
    public static readonly RoutingRelayOptions Default = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), 100_000);
}

public static class RoutingRelayHostingExtensions
{
    /// <summary>
    /// Starts this node's relay (after the entities), registered under <see cref="RoutingRelay"/>, and opens
    /// <paramref name="ledger"/> to senders.
    /// </summary>
    public static AkkaConfigurationBuilder AddRoutingRelay(this AkkaConfigurationBuilder builder, RelayLedger ledger,
        RoutingCounters counters) =>
        builder.WithActors((system, registry) =>
        {
            var relay = system.ActorOf(RoutingRelay.PropsFor(ledger, counters), "routing-relay");
            ledger.Start(relay, registry.Get<UserBucketEntity>(), registry.Get<GroupEntity>());
            registry.Register<RoutingRelay>(relay);
        });
}

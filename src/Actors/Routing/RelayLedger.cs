using System.Collections.Concurrent;
using Akka.Actor;
using Switchboard.Actors.Delivery;
using Switchboard.Streams.Json;
using static Switchboard.Actors.Routing.RelayProtocol;

namespace Switchboard.Actors.Routing;

/// <summary>
/// A node's routed messages that their entities have not yet confirmed. Any thread sends through it: a connection's
/// graph, a partition, the HTTP API. <see cref="Send"/> numbers the message, records it and hands it straight
/// to the user or group shard region, so a message does not wait in the <see cref="RoutingRelay"/>'s mailbox on its
/// way; the relay, whose ref the stamp carries, settles the entries as confirmations come in and resends the overdue.
/// </summary>
public sealed class RelayLedger(RoutingRelayOptions options, RoutingCounters counters)
{
    private static readonly FrameError Overloaded =
        new("unavailable", "too many messages are waiting for their routers on this node; send again later");

    private readonly ConcurrentDictionary<long, PendingRelay> _pending = new();
    private Regions? _regions;
    private long _lastSeq;
    private int _count;

    public RoutingRelayOptions Options { get; } = options;

    /// <summary>Messages sent and not yet confirmed or given up.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>The users whose entities promised that all their connections are on this node.</summary>
    public UserLeases Leases { get; } = new();

    /// <summary>
    /// A client's direct message: offered to the recipient's connections here while its lease is active (true: the
    /// sender's ack is due at once), through its entity otherwise (counted in the lease, when there is one).
    /// </summary>
    public bool SendToUser(UserProtocol.SendToUser message, ReplyTarget reply)
    {
        if (Leases.Find(message.UserId) is not { } lease)
        {
            Send(message, reply);
            return false;
        }
        // Under the lease's lock, so that the partition's grant, revoke and end fall wholly before or after this choice.
        lock (lease)
        {
            if (!lease.IsActive)
            {
                SendCounted(message, reply, lease.CountThroughEntity() ? lease : null);
                return false;
            }
            counters.RecordSentHere();
            var delivered = lease.Offer(message.Frame);
            counters.RecordDelivered(DeliveryKind.Direct, delivered);
            return true;
        }
    }

    /// <summary>Sends <paramref name="message"/> to its entity; <paramref name="reply"/>, when set, hears how it went.</summary>
    public void Send(IRelayed message, ReplyTarget? reply = null) => SendCounted(message, reply, null);

    private void SendCounted(IRelayed message, ReplyTarget? reply, UserLease? countedIn)
    {
        var regions = Volatile.Read(ref _regions) ?? throw new InvalidOperationException("the routing relay has not started");
        if (Interlocked.Increment(ref _count) > Options.MaxPending)
        {
            Interlocked.Decrement(ref _count);
            countedIn?.Settled();
            Refuse(reply, Overloaded);
            return;
        }
        var stamped = message.Stamped(new RelayStamp(regions.Relay, Interlocked.Increment(ref _lastSeq), Resent: false));
        _pending[stamped.Stamp!.Seq] = new PendingRelay(stamped, reply, Environment.TickCount64, countedIn);
        regions.Of(stamped).Tell(stamped);
    }

    /// <summary>Opens the ledger: <paramref name="relay"/> is the actor its stamps name, the regions where messages go.</summary>
    public void Start(IActorRef relay, IActorRef users, IActorRef groups) =>
        Volatile.Write(ref _regions, new Regions(relay, users, groups));

    /// <summary>
    /// Settles, where it arrived, a message this node's relay sent that its entity handed to this node alone: the
    /// partition here says so to the ledger rather than in a message to the relay. False for a message from
    /// another node's relay, or one routed to several nodes (the relay counts those). A grant that came with it goes to
    /// <paramref name="granted"/> before the sender hears, so that the sender's next message may use the lease.
    /// </summary>
    public bool TrySettleHere(RelayStamp stamp, UserLease? granted = null)
    {
        if (stamp.Nodes > 1 || Volatile.Read(ref _regions) is not { } regions || !stamp.Relay.Equals(regions.Relay))
            return false;
        if (TryRemove(stamp.Seq, out var pending))
        {
            // Only a message counted in the lease proves that nothing this node sent earlier is still on its way.
            if (granted is not null && ReferenceEquals(pending.CountedIn, granted))
                granted.Grant();
            Answer(pending, null, stamp.StreamSeq);
        }
        return true;
    }

    /// <summary>Tells the sender how its settled message went: refused, or taken (an ack, when it asked for one).</summary>
    internal static void Answer(PendingRelay pending, FrameError? refusal, long streamSeq)
    {
        if (pending.Reply is not { } reply)
            return;
        if (refusal is not null)
            Reject(reply, refusal);
        else if (reply.JoinedGroup is { } group)
            reply.Delivery.Tell(new DeliveryProtocol.JoinAnswered(reply.ConnectionId, group, reply.Id, null));
        else if (!reply.Id.IsEmpty)
            reply.Delivery.Tell(new DeliveryProtocol.Accepted(reply.ConnectionId, reply.Id, streamSeq, reply.App));
    }

    internal bool TryGet(long seq, out PendingRelay pending) => _pending.TryGetValue(seq, out pending!);

    internal bool TryRemove(long seq, out PendingRelay pending)
    {
        if (!_pending.TryRemove(seq, out pending!))
            return false;
        Interlocked.Decrement(ref _count);
        pending.CountedIn?.Settled();
        return true;
    }

    /// <summary>The entries, as the relay walks them for resends; a weakly consistent view.</summary>
    internal IEnumerable<KeyValuePair<long, PendingRelay>> Entries => _pending;

    internal void Resend(PendingRelay pending) => _regions!.Of(pending.Message).Tell(pending.Message);

    internal void Refuse(ReplyTarget? reply, FrameError error)
    {
        counters.RecordUnconfirmed();
        if (reply is not null)
            Reject(reply, error);
    }

    private static void Reject(ReplyTarget reply, FrameError error) =>
        reply.Delivery.Tell(reply.JoinedGroup is { } group
            ? new DeliveryProtocol.JoinAnswered(reply.ConnectionId, group, reply.Id, error)
            : new DeliveryProtocol.Rejected(reply.ConnectionId, reply.Id, error));

    private sealed record Regions(IActorRef Relay, IActorRef Users, IActorRef Groups)
    {
        public IActorRef Of(IRelayed message) => message is UserProtocol.IUserMessage ? Users : Groups;
    }
}

/// <summary>
/// One message in the <see cref="RelayLedger"/>. Made by the sender; after that only the relay actor changes it (a delivery
/// that settles it here only removes it, <see cref="RelayLedger.TrySettleHere"/>).
/// </summary>
internal sealed class PendingRelay(IRelayed message, ReplyTarget? reply, long sentAt, UserLease? countedIn = null)
{
    /// <summary>The recipient's lease on this node that counts this message until it is settled.</summary>
    public UserLease? CountedIn { get; } = countedIn;

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

using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using Switchboard.Actors.Delivery;
using Switchboard.Actors.History;
using Switchboard.Actors.Routing.State;
using Switchboard.Streams.Outbound;
using static Switchboard.Actors.Routing.UserProtocol;

namespace Switchboard.Actors.Routing;

/// <summary>
/// The sharded entity of one bucket of users (<see cref="UserBuckets"/>). What it knows is a <see cref="UserBucketState"/>
/// (which connections of each user live on which node) and, with history on, the users' streams, kept as its
/// <see cref="IStreamKeeper"/> chose when it started; the actor receives, asks them, and sends what they answer. A message
/// to a user costs one message per node holding its connections. Under the cluster-wide bound per user it answers each
/// node's <see cref="ReserveConnection"/> from what it knows, the one place that sees all of a user's connections. On start it rebuilds its connections from the nodes
/// (see <see cref="RegistryProtocol"/>), so a shard that moves loses no connection; with nothing left to lose it
/// passivates, so memory follows the live population and what history keeps.
/// </summary>
public sealed class UserBucketEntity : UntypedActor, IWithUnboundedStash, IWithTimers
{
    private readonly int _bucket;
    private readonly RoutingCounters _counters;
    private readonly UserBucketState _state = new();
    private readonly LeaseHolders _leases = new();
    private readonly IStreamKeeper _history;
    private readonly Action<SendToUser, Numbering> _route;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private IActorRef? _users;
    private EntityRecovery _recovery = null!;

    public UserBucketEntity(int bucket, RoutingCounters counters, HistoryOptions history, HistoryBudget budget, IStreamStore? store = null)
    {
        _bucket = bucket;
        _counters = counters;
        _history = StreamKeepers.Choose(history, budget, store, "u:", Self, _log);
        _route = Route; // made once: the keeper hands each message back to it
    }

    public IStash Stash { get; set; } = null!;
    public ITimerScheduler Timers { get; set; } = null!;

    // Stash and Timers are given to the actor after its constructor, so recovery starts here.
    protected override void PreStart()
    {
        _recovery = new EntityRecovery(Context, Stash, Timers);
        _recovery.Start(new RegistryProtocol.FindUsers(_bucket, Self));
        if (_history.SweepInterval is { } interval)
            Timers.StartPeriodicTimer(Sweep.Instance, Sweep.Instance, interval);
    }

    protected override void PostStop() => _history.Release();

    protected override void OnReceive(object message)
    {
        if (message is RegistryProtocol.UsersFound found)
        {
            if (_state.Recover(found))
                Context.Watch(found.Node);
            _recovery.Answered(found.Node);
            return;
        }
        if (_recovery.Intercept(message))
            return;
        if (_history.TakeAnswer(message))
        {
            PassivateWhenIdle();
            return;
        }
        switch (message)
        {
            case AddConnection add:
                if (_leases.MustWait(add.UserId, add, add.Node, out var holder))
                    holder?.Tell(new RevokeLease(add.UserId));
                else
                    Add(add);
                break;
            case RemoveConnection remove:
                if (!_leases.MustWait(remove.UserId, remove, null, out _))
                    Remove(remove);
                PassivateWhenIdle();
                break;
            case LeaseRevoked revoked:
                Apply(_leases.Revoked(revoked.UserId, Sender));
                PassivateWhenIdle();
                break;
            case ReserveConnection reserve:
                var now = Environment.TickCount64;
                var granted = _state.Reserve(reserve.UserId, reserve.ConnectionId, reserve.Limit, now);
                Sender.Tell(new Reservation(reserve.ConnectionId, granted));
                if (granted)
                    ExpireReservationsAfter(now);
                break;
            case ReservationsLapse:
                ExpireReservationsAfter(Environment.TickCount64);
                PassivateWhenIdle();
                break;
            case SendToUser send:
                _history.Append(send.UserId, send, _route);
                PassivateWhenIdle();
                break;
            case Notify notify:
                if (_state.ConnectionsOf(notify.UserId) is { } notified)
                    DeliverTo(notified, notify.Frame, null, 0);
                break;
            case Received received:
                _history.Confirm(received.UserId, received.Seq, receipts =>
                {
                    foreach (var receipt in receipts)
                        Users.Tell(UserBucketState.Receipt(received.UserId, receipt));
                });
                break;
            case GetConnections get:
                var asker = Sender;
                _history.Read(get.UserId, open: false, read => asker.Tell(_state.Describe(get.UserId, read)));
                PassivateWhenIdle();
                break;
            case GetHistory get:
                var reader = Sender;
                _history.Read(get.UserId, open: false, since: get.Since, then: read =>
                    reader.Tell(read is null ? new Status.Failure(new StreamStoreUnavailableException("the history store did not answer"))
                        : new HistoryPage(get.UserId, read.Position, read.Messages?.ToArray() ?? [])));
                PassivateWhenIdle();
                break;
            case Sweep:
                _history.Sweep(_state.IsFollowed);
                PassivateWhenIdle();
                break;
            case Terminated node:
                _state.NodeLost(node.ActorRef);
                foreach (var changes in _leases.NodeLost(node.ActorRef))
                    Apply(changes);
                PassivateWhenIdle();
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void Add(AddConnection add)
    {
        _state.Add(add.UserId, add.ConnectionId, add.Node);
        Context.Watch(add.Node);
        // Registered first, answered second: every message numbered after this answer reaches the connection
        // live, every one before it is in the replay or the position.
        if (add.OpensStream && _history.KeepsHistory)
            _history.Read(add.UserId, open: true, read => add.Node.Tell(UserBucketState.Opened(add, read)), add.Resume);
    }

    private void Remove(RemoveConnection remove)
    {
        _state.Remove(remove.UserId, remove.ConnectionId);
        if (_state.ConnectionsOf(remove.UserId) is null)
            _leases.Forget(remove.UserId);
    }

    private void Apply(List<object>? changes)
    {
        foreach (var change in changes ?? [])
        {
            if (change is AddConnection add)
                Add(add);
            else
                Remove((RemoveConnection)change);
        }
    }

    // With a store this runs when the store answered, in the order of the calls, for the connections the user has then.
    private void Route(SendToUser send, Numbering numbering)
    {
        var dispatch = _state.Route(send.UserId, numbering, out var connections);
        if (dispatch.StreamReset is { } reset && connections is not null)
            DeliverTo(connections, reset, null, 0);
        if (dispatch.Frame is { } frame && connections is not null)
        {
            DeliverTo(connections, frame, send.Stamp, dispatch.Seq, send.UserId);
            return;
        }
        if (dispatch.Undeliverable)
        {
            _counters.RecordUndeliverable();
            _log.Debug("No connection for user {UserId}; message counted as undeliverable", send.UserId);
        }
        send.Stamp?.Confirm(dispatch.Refusal, dispatch.Seq);
    }

    /// <param name="leaseFor">The user, for a message a lease may follow: one relayed from the node that holds all its connections.</param>
    private void DeliverTo(UserConnections connections, OutboundFrame frame, RelayStamp? stamp, long streamSeq, string? leaseFor = null)
    {
        if (connections.OnlyNode() is { } node)
        {
            // The usual case, a user on one node, without grouping.
            var grant = leaseFor is not null && stamp is not null && GrantsLease(leaseFor, node, stamp) ? leaseFor : null;
            node.Tell(new DeliveryProtocol.DeliverToConnections(connections.Ids(), frame, stamp?.RoutedTo(1, streamSeq), grant));
            return;
        }
        var perNode = connections.PerNode();
        var routed = stamp?.RoutedTo(perNode.Count, streamSeq);
        foreach (var (onNode, ids) in perNode)
            onNode.Tell(new DeliveryProtocol.DeliverToConnections(ids, frame, routed));
    }

    // Without history only: with it every message must be numbered here. The sender's node is the one holding every
    // connection, so its senders may hand it the next messages themselves.
    private bool GrantsLease(string userId, IActorRef partition, RelayStamp stamp) =>
        !_history.KeepsHistory && partition.Path.Address.Equals(stamp.Relay.Path.Address) && _leases.TryGrant(userId, partition);

    // One timer, for the place that lapses first: a place whose connection never opened frees the user's count (and lets
    // the entity passivate) within its lifetime, without a sweep while no place is held.
    private void ExpireReservationsAfter(long now)
    {
        if (Timers.IsTimerActive(ReservationsLapse.Instance))
            return;
        if (_state.ExpireReservations(now) is { } next)
            Timers.StartSingleTimer(ReservationsLapse.Instance, ReservationsLapse.Instance, TimeSpan.FromMilliseconds(Math.Max(1, next - now)));
    }

    // The sender of a receipt may be in any bucket: the region, not this entity's shard, finds it.
    private IActorRef Users => _users ??= ClusterSharding.Get(Context.System).ShardRegion(UserBucketEntityHostingExtensions.RegionName);

    private void PassivateWhenIdle()
    {
        if (_state.MayPassivate(_history) && _leases.IsEmpty)
            Context.Parent.Tell(new Passivate(PoisonPill.Instance));
    }

    public static Props PropsFor(int bucket, RoutingCounters counters, HistoryOptions history, HistoryBudget budget,
        IStreamStore? store = null) =>
        Props.Create(() => new UserBucketEntity(bucket, counters, history, budget, store));

    private sealed class Sweep
    {
        public static readonly Sweep Instance = new();
    }

    private sealed class ReservationsLapse
    {
        public static readonly ReservationsLapse Instance = new();
    }
}

/// <summary>Routes user messages to the entity of their user's bucket.</summary>
public sealed class UserMessageExtractor(int shardCount) : HashCodeMessageExtractor(shardCount)
{
    public override string? EntityId(object message) => message is IUserMessage m ? UserBuckets.EntityIdOf(m.UserId) : null;
}

public static class UserBucketEntityHostingExtensions
{
    /// <summary>The shard region's type name: the same in every version, so that nodes of two versions share the region.</summary>
    public const string RegionName = "user";

    /// <summary>Starts the user bucket entities' shard region, registered under <see cref="UserBucketEntity"/>.</summary>
    public static AkkaConfigurationBuilder AddUserBucketEntities(this AkkaConfigurationBuilder builder, int shardCount,
        RoutingCounters counters, HistoryOptions history, HistoryBudget budget, IStreamStore? store = null) =>
        builder.WithShardRegion<UserBucketEntity>(RegionName,
            bucket => UserBucketEntity.PropsFor(int.Parse(bucket), counters, history, budget, store),
            new UserMessageExtractor(shardCount), new ShardOptions());
}

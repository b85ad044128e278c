using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using Switchboard.Actors.Delivery;
using Switchboard.Actors.History;
using Switchboard.Streams.Json;
using static Switchboard.Actors.Routing.UserProtocol;

namespace Switchboard.Actors.Routing;

/// <summary>
/// One bucket of users (<see cref="UserBuckets"/>): which connections of each live on which node. A
/// message to a user costs one message per node holding its connections. With no connection and no kept
/// message left in the bucket the entity passivates, so memory follows the live population and what history
/// keeps. On start it rebuilds that knowledge from the nodes (see <see cref="RegistryProtocol"/>), so a shard
/// that moves loses no connection. With history on it is also where each user's stream is numbered and kept
/// (<see cref="KeptStreams"/>).
/// </summary>
public sealed class UserBucketEntity : UntypedActor, IWithUnboundedStash, IWithTimers
{
    private readonly int _bucket;
    private readonly RoutingCounters _counters;

    /// <summary>User id → its connections, each with the delivery actor of the node holding it.</summary>
    private readonly Dictionary<string, UserConnections> _connectionsOf = new();

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly KeptStreams? _streams;
    private readonly StoredStreams? _stored;
    private IActorRef? _users;
    private EntityRecovery _recovery = null!;

    public UserBucketEntity(int bucket, RoutingCounters counters, HistoryOptions history, HistoryBudget budget, IStreamStore? store = null)
    {
        _bucket = bucket;
        _counters = counters;
        if (history.IsOn && store is not null)
            _stored = new StoredStreams(store, Self, _log);
        else if (history.IsOn)
            _streams = new KeptStreams(history, budget);
    }

    public IStash Stash { get; set; } = null!;
    public ITimerScheduler Timers { get; set; } = null!;

    // Stash and Timers are given to the actor after its constructor, so recovery starts here.
    protected override void PreStart()
    {
        _recovery = new EntityRecovery(Context, Stash, Timers);
        _recovery.Start(new RegistryProtocol.FindUsers(_bucket, Self));
        if (_streams is not null)
            Timers.StartPeriodicTimer(Sweep.Instance, Sweep.Instance, _streams.Options.SweepInterval);
    }

    protected override void PostStop() => _streams?.Release();

    protected override void OnReceive(object message)
    {
        if (message is RegistryProtocol.UsersFound found)
        {
            Found(found);
            return;
        }
        if (_recovery.Intercept(message))
            return;
        if (_stored is not null && _stored.Calls.Handle(message))
        {
            PassivateWhenEmpty();
            return;
        }
        switch (message)
        {
            case AddConnection add:
                Add(add.UserId, add.ConnectionId, add.Node);
                Context.Watch(add.Node);
                if (add.OpensStream)
                    OpenStream(add);
                break;
            case RemoveConnection remove:
                if (_connectionsOf.TryGetValue(remove.UserId, out var connections) && connections.Remove(remove.ConnectionId)
                    && connections.Count == 0)
                    _connectionsOf.Remove(remove.UserId);
                PassivateWhenEmpty();
                break;
            case SendToUser send:
                Send(send);
                break;
            case Notify notify:
                if (_connectionsOf.TryGetValue(notify.UserId, out var notified))
                    DeliverTo(notified, notify.Frame, null);
                break;
            case Received received:
                Confirm(received);
                break;
            case GetConnections get when _stored is not null:
                DescribeStored(get.UserId, Sender);
                break;
            case GetConnections get:
                Sender.Tell(Describe(get.UserId));
                PassivateWhenEmpty();
                break;
            case GetHistory get when _stored is not null:
                var asker = Sender;
                _stored.Read(StreamKey(get.UserId), open: false, since: get.Since, then: read =>
                    asker.Tell(read is null ? new Status.Failure(new StreamStoreUnavailableException("the history store did not answer"))
                        : new HistoryPage(get.UserId, read.Position, read.Messages?.ToArray() ?? [])));
                break;
            case GetHistory get:
                var kept = _streams?.Of(get.UserId);
                Sender.Tell(new HistoryPage(get.UserId, kept?.Position, kept?.Since(get.Since).Select(e => e.Frame).ToArray() ?? []));
                PassivateWhenEmpty();
                break;
            case Sweep:
                _streams!.Sweep(_connectionsOf.ContainsKey);
                PassivateWhenEmpty();
                break;
            case Terminated node:
                Forget(node.ActorRef);
                PassivateWhenEmpty();
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void Add(string userId, string connectionId, IActorRef node)
    {
        if (!_connectionsOf.TryGetValue(userId, out var connections))
            _connectionsOf[userId] = connections = new UserConnections();
        connections.Set(connectionId, node);
    }

    /// <summary>The node left or crashed: its connections are gone with it.</summary>
    private void Forget(IActorRef node)
    {
        foreach (var (userId, connections) in _connectionsOf.ToList())
        {
            connections.RemoveNode(node);
            if (connections.Count == 0)
                _connectionsOf.Remove(userId);
        }
    }

    private void Found(RegistryProtocol.UsersFound found)
    {
        for (var i = 0; i + 1 < found.Members.Length; i += 2)
            Add(found.Members[i], found.Members[i + 1], found.Node);
        if (found.Members.Length > 0)
            Context.Watch(found.Node);
        _recovery.Answered(found.Node);
    }

    private void Send(SendToUser send)
    {
        var connections = _connectionsOf.GetValueOrDefault(send.UserId);
        if (_stored is not null)
        {
            SendStored(send);
            return;
        }
        if (_streams is not null)
        {
            SendInStream(send, connections);
            return;
        }
        if (connections is null)
        {
            _counters.RecordUndeliverable();
            _log.Debug("No connection for user {UserId}; message counted as undeliverable", send.UserId);
            send.Stamp?.Confirm();
            PassivateWhenEmpty();
            return;
        }
        DeliverTo(connections, send.Frame, send.Stamp, 0);
    }

    // Numbered and kept before it goes out, so that a connection that resumes later finds it; a message with no connection
    // to go to is kept for the user and acknowledged with its number.
    private void SendInStream(SendToUser send, UserConnections? connections)
    {
        var (stream, created) = _streams!.For(send.UserId);
        if (created && connections is not null)
            DeliverTo(connections, ServerFrames.StreamReset(null, stream.Epoch, stream.LastSeq), null);
        var stamp = send.Stamp;
        if (stream.Find(send.Sender, send.MessageId, stamp?.Relay, stamp?.Seq ?? 0) is { } earlier)
        {
            // A resend: acknowledged with its first number. A copy the relay sent again goes to the nodes again (they drop what
            // they already have); a client's resend does not.
            if (stamp is { Resent: true } && earlier.Relay == stamp.Relay && earlier.RelaySeq == stamp.Seq && connections is not null)
                DeliverTo(connections, earlier.Frame, stamp, earlier.Seq);
            else
                stamp?.Confirm(null, earlier.Seq);
            return;
        }
        var entry = _streams.Append(stream, send.Frame, send.Sender, send.MessageId, send.WantsReceipt, stamp);
        if (connections is null)
            stamp?.Confirm(null, entry.Seq);
        else
            DeliverTo(connections, entry.Frame, stamp, entry.Seq);
    }

    // With a store the number comes back from it: the message goes out when its call is answered, in the order of the
    // calls, to the connections the user has then.
    private void SendStored(SendToUser send)
    {
        var stamp = send.Stamp;
        _stored!.Append(StreamKey(send.UserId), send.Frame, send.Sender, send.MessageId, send.WantsReceipt, stamp, outcome =>
        {
            var connections = _connectionsOf.GetValueOrDefault(send.UserId);
            switch (outcome)
            {
                case StoredStreams.Refused refused:
                    stamp?.Confirm(refused.Error);
                    return;
                case StoredStreams.Unnumbered when connections is null:
                    _counters.RecordUndeliverable();
                    stamp?.Confirm();
                    return;
                case StoredStreams.Unnumbered:
                    DeliverTo(connections, send.Frame, stamp, 0);
                    return;
                case StoredStreams.Numbered numbered:
                    if (numbered.Appended.Created && connections is not null && numbered.Appended.Seq > 0)
                        DeliverTo(connections, ServerFrames.StreamReset(null, numbered.Appended.Epoch, numbered.Appended.Seq - 1), null);
                    if (numbered.Deliver is { } frame && connections is not null)
                        DeliverTo(connections, frame, stamp, numbered.Appended.Seq);
                    else
                        stamp?.Confirm(null, numbered.Appended.Seq);
                    return;
            }
        });
    }

    private static string StreamKey(string userId) => "u:" + userId;

    private void DeliverTo(UserConnections connections, Streams.Outbound.OutboundFrame frame, RelayStamp? stamp, long streamSeq = 0)
    {
        if (connections.OnlyNode() is { } node)
        {
            // The usual case, a user on one node, without grouping.
            node.Tell(new DeliveryProtocol.DeliverToConnections(connections.Ids(), frame, stamp?.RoutedTo(1, streamSeq)));
            return;
        }
        var perNode = connections.All.GroupBy(e => e.Value).ToList();
        var routed = stamp?.RoutedTo(perNode.Count, streamSeq);
        foreach (var onNode in perNode)
            onNode.Key.Tell(new DeliveryProtocol.DeliverToConnections(onNode.Select(e => e.Key).ToArray(), frame, routed));
    }

    // Registered first (the caller did), answered second: every message numbered after this answer reaches the connection
    // live, every one before it is in the replay or the position.
    private void OpenStream(AddConnection add)
    {
        if (_stored is not null)
        {
            _stored.Read(StreamKey(add.UserId), open: true, resume: add.Resume, then: read =>
            {
                var replay = read?.Messages;
                add.Node.Tell(new UserStreamOpened(add.ConnectionId, read?.Position ?? StoredStreams.Unknown(), replay?.ToArray() ?? [],
                    add.Resume is null ? null : replay is not null));
            });
            return;
        }
        var (stream, _) = _streams!.For(add.UserId);
        var replay = add.Resume is { } from ? stream.After(from) : null;
        add.Node.Tell(new UserStreamOpened(add.ConnectionId, stream.Position, replay?.ToArray() ?? [],
            add.Resume is null ? null : replay is not null));
    }

    private void Confirm(Received received)
    {
        if (_stored is not null)
        {
            _stored.Confirm(StreamKey(received.UserId), received.Seq, receipts =>
            {
                foreach (var receipt in receipts)
                    Users.Tell(new Notify(receipt.Sender, ServerFrames.Receipt(receipt.MessageId, received.UserId, receipt.Seq)));
            });
            return;
        }
        if (_streams?.Of(received.UserId) is not { } stream)
            return;
        foreach (var entry in stream.Confirm(received.Seq))
            Users.Tell(new Notify(entry.Sender!, ServerFrames.Receipt(entry.MessageId, received.UserId, entry.Seq)));
    }

    // The sender of a receipt may be in any bucket: the region, not this entity's shard, finds it.
    private IActorRef Users => _users ??= ClusterSharding.Get(Context.System).ShardRegion(UserBucketEntityHostingExtensions.RegionName);

    private Connections Describe(string userId)
    {
        var stream = _streams?.Of(userId);
        return _connectionsOf.TryGetValue(userId, out var of)
            ? new Connections(userId, of.Count, of.NodeCount, stream?.Position, stream?.DeliveredSeq ?? 0)
            : new Connections(userId, 0, 0, stream?.Position, stream?.DeliveredSeq ?? 0);
    }

    private void DescribeStored(string userId, IActorRef asker) =>
        _stored!.Read(StreamKey(userId), open: false, then: read =>
        {
            var of = _connectionsOf.GetValueOrDefault(userId);
            asker.Tell(new Connections(userId, of?.Count ?? 0, of?.NodeCount ?? 0, read?.Position, read?.DeliveredSeq ?? 0));
        });

    // With a store nothing is lost when the entity stops, so it passivates once no call is waiting for its answer.
    private void PassivateWhenEmpty()
    {
        if (_connectionsOf.Count == 0 && _streams is not { Count: > 0 } && _stored?.Calls.IsEmpty != false)
            Context.Parent.Tell(new Passivate(PoisonPill.Instance));
    }

    public static Props PropsFor(int bucket, RoutingCounters counters, HistoryOptions history, HistoryBudget budget,
        IStreamStore? store = null) =>
        Props.Create(() => new UserBucketEntity(bucket, counters, history, budget, store));

    private sealed class Sweep
    {
        public static readonly Sweep Instance = new();
    }
}

/// <summary>Routes user messages to the entity of their user's bucket.</summary>
public sealed class UserMessageExtractor(int shardCount) : HashCodeMessageExtractor(shardCount)
{
    public override string? EntityId(object message) => message is IUserMessage m ? UserBuckets.EntityIdOf(m.UserId) : null;
}

public static class UserBucketEntityHostingExtensions
{
    public const string RegionName = "user";

    /// <summary>Starts the user router's shard region, registered under <see cref="UserBucketEntity"/>.</summary>
    public static AkkaConfigurationBuilder AddUserBucketEntities(this AkkaConfigurationBuilder builder, int shardCount,
        RoutingCounters counters, HistoryOptions history, HistoryBudget budget, IStreamStore? store = null) =>
        builder.WithShardRegion<UserBucketEntity>(RegionName, bucket => UserBucketEntity.PropsFor(int.Parse(bucket), counters, history, budget, store),
            new UserMessageExtractor(shardCount), new ShardOptions());
}

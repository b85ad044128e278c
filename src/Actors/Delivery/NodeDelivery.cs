using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using Switchboard.Actors.Admin;
using Switchboard.Actors.History;
using Switchboard.Actors.Hub;
using Switchboard.Actors.Routing;
using Switchboard.Streams;
using Switchboard.Streams.Framing;
using Switchboard.Streams.Json;
using Switchboard.Streams.Outbound;
using static Switchboard.Actors.Delivery.DeliveryProtocol;

namespace Switchboard.Actors.Delivery;

/// <summary>
/// The one actor per node that knows the node's connections as routing sees them: which user
/// each belongs to and which groups it joined. Entities send it one message per node; it hands
/// the same frame to every local recipient. Broadcasts arrive through distributed pub-sub
/// and are spread over the broadcast workers. With history on, a new connection waits for its user
/// stream's position (<see cref="OpeningConnection"/>) before it gets its welcome, its replay and then
/// what was routed to it meanwhile.
/// </summary>
public sealed class NodeDelivery : ReceiveActor, IWithTimers
{
    /// <summary>How long an opening connection waits for its user bucket entity before it asks again, and how often it asks.</summary>
    public static readonly TimeSpan OpenRetryAfter = TimeSpan.FromSeconds(2);

    // 30 s in all: past a failover (a frozen node downed after stable-after, the shard coordinator's singleton handed
    // over, the shard started elsewhere; ~22 s with the defaults, cluster.md). With 10 s, a connect during the hand-over
    // of a killed oldest node was closed with 1011 just before its entity came back.
    public const int OpenAttempts = 15;

    /// <summary>How long a join with history on waits for its group entity's answer before it is refused.</summary>
    public static readonly TimeSpan JoinGiveUpAfter = TimeSpan.FromSeconds(65);

    private static readonly FrameError JoinUnanswered =
        new("unavailable", "the group's router did not answer the join in time; it may not have happened, join again");

    public const string BroadcastTopic = "switchboard.broadcast";

    private readonly IActorRef _users;
    private readonly IActorRef _groups;
    private readonly RelayLedger _relay;
    private readonly DeliveredStamps _delivered = new();
    private readonly RoutingCounters _counters;
    private readonly ConnectionCounters _connectionCounters;
    private readonly Dictionary<string, LocalConnection> _connections = new();
    private readonly Dictionary<string, HashSet<WebSocketConnection>> _members = new();
    private readonly Dictionary<string, HashSet<string>> _groupsOf = new();
    private readonly Dictionary<string, IdSet> _connectionsOf = new();

    /// <summary>The users with connections here, by bucket, so that a starting user bucket entity gets its answer without a scan.</summary>
    private readonly Dictionary<int, HashSet<string>> _usersIn = new();
    private readonly Action _onReady;
    private readonly int _maxGroups;
    private readonly FrameError _tooManyGroups;
    private readonly (IActorRef Worker, BroadcastQueue Queue)[] _workers;
    private readonly int[] _partitionSize;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly bool _historyOn;
    private readonly Dictionary<string, OpeningConnection> _opening = new();
    private readonly Dictionary<(string ConnectionId, string Group), PendingJoin> _joining = new();
    private string? _node;

    public NodeDelivery(NodeDeliveryOptions options, IActorRef users, IActorRef groups, RelayLedger relay, RoutingCounters counters,
        ConnectionCounters connectionCounters)
    {
        _users = users;
        _groups = groups;
        _relay = relay;
        _counters = counters;
        _connectionCounters = connectionCounters;
        _onReady = options.OnReady;
        _historyOn = options.HistoryOn;
        _maxGroups = options.MaxGroupsPerConnection;
        _tooManyGroups = new FrameError("too_many_groups", $"a connection may join at most {_maxGroups} groups");
        _workers = Enumerable.Range(0, options.BroadcastWorkerCount).Select(i =>
        {
            var queue = new BroadcastQueue(options.MessageQueueSize);
            return (Context.ActorOf(BroadcastWorker.PropsFor(queue, counters), $"broadcast-{i}"), queue);
        }).ToArray();
        _partitionSize = new int[_workers.Length];

        Receive<ConnectionOpened>(Open);
        Receive<ConnectionClosed>(Close);
        Receive<Join>(join => WithConnection(join.ConnectionId, c => JoinGroup(c, join.Group, join.Id, join.Resume)));
        Receive<Leave>(leave => WithConnection(leave.ConnectionId, c => LeaveGroup(c, leave.Group, leave.Id)));
        Receive<DeliverToConnections>(DeliverTo);
        Receive<DeliverToGroup>(DeliverTo);
        Receive<Broadcast>(Fan);
        Receive<Accepted>(accepted => WithConnection(accepted.ConnectionId,
            c => c.Connection.Send(ServerFrames.Ack(accepted.Id, accepted.Seq))));
        Receive<UserProtocol.UserStreamOpened>(Opened);
        Receive<GroupProtocol.GroupStreamOpened>(Opened);
        Receive<OpenCheck>(_ => AskAgainForStreams());
        Receive<Rejected>(rejected => WithConnection(rejected.ConnectionId, c => Reject(c, rejected.Id, rejected.Error)));
        Receive<RegistryProtocol.FindUsers>(find => find.ReplyTo.Tell(new RegistryProtocol.UsersFound(find.Bucket,
            _usersIn.TryGetValue(find.Bucket, out var users)
                ? users.SelectMany(user => _connectionsOf[user].SelectMany(id => new[] { user, id })).ToArray()
                : [], Self)));
        Receive<RegistryProtocol.FindGroup>(find => find.ReplyTo.Tell(new RegistryProtocol.GroupFound(find.Group,
            _members.TryGetValue(find.Group, out var members)
                ? members.SelectMany(c => new[] { _connections[c.Id].UserId, c.Id }).ToArray()
                : [], Self)));
        Receive<Terminated>(relay => _delivered.Forget(relay.ActorRef));
        Receive<AdminProtocol.ListConnections>(list => Sender.Tell(ListConnections(list)));
        Receive<AdminProtocol.ListGroups>(list => Sender.Tell(ListGroups(list)));
        Receive<AdminProtocol.ListLargestGroups>(list => Sender.Tell(new AdminProtocol.LargestGroups(Node, _members
            .OrderByDescending(g => g.Value.Count).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Take(list.Limit).Select(g => g.Key).ToArray())));
        Receive<AdminProtocol.Kick>(kick => Sender.Tell(Kick(kick)));
        // Ready once broadcasts reach this node.
        Receive<SubscribeAck>(_ => _onReady());
    }

    private string Node => _node ??= NodeName.Of(Context.System);

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart()
    {
        var mediator = DistributedPubSub.Get(Context.System).Mediator;
        mediator.Tell(new Subscribe(BroadcastTopic, Self));
        if (_historyOn)
            Timers.StartPeriodicTimer(OpenCheck.Instance, OpenCheck.Instance, OpenRetryAfter / 2);
    }

    private void Open(ConnectionOpened opened)
    {
        var local = opened.Connection;
        _connections[local.Id] = local;
        if (!_connectionsOf.TryGetValue(local.UserId, out var ofUser))
        {
            _connectionsOf[local.UserId] = ofUser = new IdSet();
            var bucket = UserBuckets.Of(local.UserId);
            if (!_usersIn.TryGetValue(bucket, out var users))
                _usersIn[bucket] = users = [];
            users.Add(local.UserId);
        }
        ofUser.Add(local.Id);
        var partition = PartitionOf(local);
        _partitionSize[partition]++;
        if (_historyOn)
        {
            // Broadcasts join in once the welcome is out; routed frames meanwhile are held (see TryFinishOpening).
            var opening = _opening[local.Id] = new OpeningConnection(opened, Environment.TickCount64);
            _users.Tell(opening.Ask(Self));
            foreach (var group in opened.Groups)
            {
                if (JoinGroup(local, group, default, opened.ResumeGroups?.GetValueOrDefault(group), opening: true))
                    opening.Groups[group] = null;
            }
            return;
        }
        _users.Tell(new UserProtocol.AddConnection(local.UserId, local.Id, Self));
        _workers[partition].Worker.Tell(new BroadcastWorker.Add(local.Connection));
        // Without history nothing can be replayed: each stream the client asked to resume says so after the welcome.
        if (opened.Resume is not null)
            Unrecovered(local.Connection, null);
        foreach (var group in opened.Groups)
            JoinGroup(local, group, default, opened.ResumeGroups?.GetValueOrDefault(group));
    }

    private void Opened(UserProtocol.UserStreamOpened opened)
    {
        if (_opening.TryGetValue(opened.ConnectionId, out var opening) && opening.User is null)
        {
            opening.User = opened;
            TryFinishOpening(opening);
        }
    }

    private void Opened(GroupProtocol.GroupStreamOpened opened)
    {
        var key = (opened.ConnectionId, opened.Group);
        if (_opening.TryGetValue(opened.ConnectionId, out var opening) && opening.Groups.TryGetValue(opened.Group, out var answer))
        {
            if (answer is not null)
                return;
            opening.Groups[opened.Group] = opened;
            TryFinishOpening(opening);
        }
        else if (_joining.Remove(key, out var join) && _connections.TryGetValue(opened.ConnectionId, out var local))
        {
            // A join after the welcome: its ack with the group's position, the replay it asked for, then what came meanwhile.
            var connection = local.Connection;
            if (!join.Id.IsEmpty)
                connection.Send(ServerFrames.JoinAck(join.Id, opened.Position.Epoch, opened.Position.Seq));
            Replay(connection, opened.Group, opened.Replay, opened.Recovered, opened.Position);
            var held = new HeldFrames(opened.Position);
            foreach (var frame in join.Held)
            {
                if (held.StillGoes(frame))
                    connection.Send(frame);
            }
        }
    }

    // Every stream the connection follows has answered: the welcome with their positions, each replay the client asked
    // for and its end, then what was routed here meanwhile, less what the positions and replays covered.
    private void TryFinishOpening(OpeningConnection opening)
    {
        if (opening.User is not { } user || opening.Groups.Values.Any(g => g is null))
            return;
        var local = opening.Opened.Connection;
        _opening.Remove(local.Id);
        var connection = local.Connection;
        var groups = opening.Groups.Values.Select(g => (g!.Group, g.Position.Epoch, g.Position.Seq)).ToList();
        connection.Outbox.SendControl(ServerFrames.Welcome(local.UserId, local.Id, Node, (user.Position.Epoch, user.Position.Seq), groups));
        Replay(connection, null, user.Replay, user.Recovered, user.Position);
        foreach (var group in opening.Groups.Values)
            Replay(connection, group!.Group, group.Replay, group.Recovered, group.Position);
        if (opening.Held.Count > 0)
        {
            var userHeld = new HeldFrames(user.Position);
            var groupHeld = opening.Groups.Values.ToDictionary(g => g!.Group, g => new HeldFrames(g!.Position));
            foreach (var (frame, group) in opening.Held)
            {
                if ((group is null ? userHeld : groupHeld.GetValueOrDefault(group))?.StillGoes(frame) ?? true)
                    connection.Send(frame);
            }
        }
        _workers[PartitionOf(local)].Worker.Tell(new BroadcastWorker.Add(connection));
    }

    private void Replay(WebSocketConnection connection, string? group, OutboundFrame[] replay, bool? recovered,
        StreamPosition position)
    {
        foreach (var frame in replay)
            connection.Send(frame);
        if (recovered is not { } done)
            return;
        _counters.RecordResume(done);
        connection.Send(ServerFrames.Resumed(group, done, (position.Epoch, position.Seq)));
    }

    /// <summary>With history off a resume finds nothing to replay, and says so.</summary>
    private void Unrecovered(WebSocketConnection connection, string? group)
    {
        _counters.RecordResume(false);
        connection.Send(ServerFrames.Resumed(group, false, null));
    }

    private void AskAgainForStreams()
    {
        var now = Environment.TickCount64;
        foreach (var (id, opening) in _opening.Where(o => now - o.Value.AskedAt >= OpenRetryAfter.TotalMilliseconds).ToList())
        {
            if (opening.Attempts >= OpenAttempts)
            {
                _opening.Remove(id);
                _log.Warning("The entities of {UserId}'s streams did not answer for connection {ConnectionId}; closed with 1011",
                    opening.Opened.Connection.UserId, id);
                opening.Opened.Connection.Connection.Close(CloseCode.InternalError, "the connection's streams are unavailable");
                continue;
            }
            opening.AskedAt = now;
            if (opening.User is null)
                _users.Tell(opening.Ask(Self));
            else
                opening.Attempts++;
        }
        // The relay resends a join until its entity confirms, and gives up after a minute; a join unanswered that long is refused.
        foreach (var (key, join) in _joining.Where(j => now - j.Value.AskedAt >= JoinGiveUpAfter.TotalMilliseconds).ToList())
        {
            _joining.Remove(key);
            if (!_connections.TryGetValue(key.ConnectionId, out var local))
                continue;
            Reject(local, join.Id, JoinUnanswered);
            foreach (var frame in join.Held)
                local.Connection.Send(frame);
        }
    }

    private void Close(ConnectionClosed closed)
    {
        var local = closed.Connection;
        if (!_connections.Remove(local.Id))
            return;
        _opening.Remove(local.Id);
        if (_joining.Count > 0)
        {
            foreach (var key in _joining.Keys.Where(k => k.ConnectionId == local.Id).ToList())
                _joining.Remove(key);
        }
        if (_connectionsOf.TryGetValue(local.UserId, out var ofUser) && ofUser.Remove(local.Id) && ofUser.Count == 0)
        {
            _connectionsOf.Remove(local.UserId);
            var bucket = UserBuckets.Of(local.UserId);
            if (_usersIn.TryGetValue(bucket, out var users) && users.Remove(local.UserId) && users.Count == 0)
                _usersIn.Remove(bucket);
        }
        if (_groupsOf.Remove(local.Id, out var groups))
        {
            foreach (var group in groups)
            {
                RemoveMember(group, local.Connection);
                _groups.Tell(new GroupProtocol.RemoveMember(group, local.Id));
            }
        }
        _users.Tell(new UserProtocol.RemoveConnection(local.UserId, local.Id));
        var partition = PartitionOf(local);
        _partitionSize[partition]--;
        _workers[partition].Worker.Tell(new BroadcastWorker.Remove(local.Connection));
    }

    /// <summary>Joins the group; false when the connection may join no more. With history on the group entity's answer acks it.</summary>
    /// <param name="opening">Part of a connect with history on: the answer goes to the welcome, not to an ack.</param>
    private bool JoinGroup(LocalConnection local, string group, ReadOnlyMemory<byte> id, StreamPosition? resume, bool opening = false)
    {
        if (!_groupsOf.TryGetValue(local.Id, out var groups))
            _groupsOf[local.Id] = groups = [];
        if (groups.Count >= _maxGroups && !groups.Contains(group))
        {
            Reject(local, id, _tooManyGroups);
            return false;
        }
        groups.Add(group);
        if (!_members.TryGetValue(group, out var members))
            _members[group] = members = [];
        members.Add(local.Connection);
        _counters.LocalGroups = _members.Count;
        if (_historyOn)
        {
            // The group entity answers with the stream's position (GroupStreamOpened), which is the ack.
            if (!opening)
                _joining[(local.Id, group)] = new PendingJoin(id, Environment.TickCount64);
            _relay.Send(new GroupProtocol.AddMember(group, local.UserId, local.Id, Self, OpensStream: true, Resume: resume));
            return true;
        }
        // The group entity confirms once it knows the member, so a group message sent after
        // the ack is sure to reach this connection.
        _relay.Send(new GroupProtocol.AddMember(group, local.UserId, local.Id, Self),
            id.IsEmpty ? null : new RelayProtocol.ReplyTarget(Self, local.Id, id));
        if (resume is not null)
            Unrecovered(local.Connection, group);
        return true;
    }

    private void LeaveGroup(LocalConnection local, string group, ReadOnlyMemory<byte> id)
    {
        if (!_groupsOf.TryGetValue(local.Id, out var groups) || !groups.Remove(group))
        {
            Reject(local, id, new FrameError("unknown_group", $"not a member of \"{group}\""));
            return;
        }
        RemoveMember(group, local.Connection);
        _joining.Remove((local.Id, group));
        _groups.Tell(new GroupProtocol.RemoveMember(group, local.Id));
        if (!id.IsEmpty)
            local.Connection.Send(ServerFrames.Ack(id));
    }

    private void RemoveMember(string group, WebSocketConnection connection)
    {
        if (_members.TryGetValue(group, out var members) && members.Remove(connection) && members.Count == 0)
            _members.Remove(group);
        _counters.LocalGroups = _members.Count;
    }

    private void DeliverTo(DeliverToConnections deliver)
    {
        if (IsRepeat(deliver.Stamp))
            return;
        var delivered = 0;
        foreach (var id in deliver.ConnectionIds)
        {
            if (_opening.Count > 0 && _opening.TryGetValue(id, out var opening))
            {
                opening.Held.Add((deliver.Frame, null));
                delivered++;
            }
            else if (_connections.TryGetValue(id, out var local) && IsDelivered(local.Connection.Send(deliver.Frame)))
                delivered++;
        }
        _counters.RecordDelivered(DeliveryKind.Direct, delivered);
    }

    private void DeliverTo(DeliverToGroup deliver)
    {
        if (IsRepeat(deliver.Stamp) || !_members.TryGetValue(deliver.Group, out var members))
            return;
        var delivered = 0;
        foreach (var connection in members)
        {
            if (_opening.Count > 0 && _opening.TryGetValue(connection.Id, out var opening))
            {
                opening.Held.Add((deliver.Frame, deliver.Group));
                delivered++;
            }
            else if (_joining.Count > 0 && _joining.TryGetValue((connection.Id, deliver.Group), out var join))
            {
                join.Held.Add(deliver.Frame);
                delivered++;
            }
            else if (IsDelivered(connection.Send(deliver.Frame)))
                delivered++;
        }
        _counters.RecordDelivered(DeliveryKind.Group, delivered);
    }

    /// <summary>Confirms the message to its relay; true for a resent message this node has already delivered (counted, dropped).</summary>
    private bool IsRepeat(RelayStamp? stamp)
    {
        if (stamp is null)
            return false;
        // Confirmed before the frame is offered: the connections' outboxes take it at once or drop it by their policy.
        if (!_relay.TrySettleHere(stamp))
            stamp.ConfirmDelivered(Self);
        if (_delivered.IsFirstDelivery(stamp, out var newRelay))
        {
            if (newRelay)
                Context.Watch(stamp.Relay);
            return false;
        }
        _counters.RecordRepeatDropped();
        return true;
    }

    private void Fan(Broadcast broadcast)
    {
        for (var i = 0; i < _workers.Length; i++)
        {
            if (_partitionSize[i] == 0)
                continue;
            if (_workers[i].Queue.TryEnter())
                _workers[i].Worker.Tell(broadcast);
            else
            {
                _counters.RecordBroadcastDropped(_partitionSize[i]);
                _log.Warning("Broadcast queue of worker {Worker} is full; {Dropped} deliveries dropped", i, _partitionSize[i]);
            }
        }
    }

    private void Reject(LocalConnection local, ReadOnlyMemory<byte> id, FrameError error)
    {
        _connectionCounters.RecordError(error.Code);
        local.Connection.Send(ServerFrames.Error(id, error));
    }

    // The admin API's questions: a page at a time, so that no answer carries a node's every connection.
    private AdminProtocol.ConnectionList ListConnections(AdminProtocol.ListConnections list)
    {
        IEnumerable<string> ids = list.UserId is null
            ? _connections.Keys
            : _connectionsOf.TryGetValue(list.UserId, out var ofUser) ? ofUser : [];
        if (list.After is { } after)
            ids = ids.Where(id => string.CompareOrdinal(id, after) > 0);
        var page = ids.Order(StringComparer.Ordinal).Take(list.Limit + 1).ToList();
        var entries = page.Take(list.Limit).Select(id =>
        {
            var local = _connections[id];
            var c = local.Connection;
            return new AdminProtocol.ConnectionEntry(id, local.UserId, local.RemoteAddress, local.ConnectedAt.ToUnixTimeMilliseconds(),
                _groupsOf.TryGetValue(id, out var groups) ? groups.Order(StringComparer.Ordinal).ToArray() : [],
                c.MessagesIn, c.MessagesOut, c.Outbox.Depth);
        }).ToArray();
        return new AdminProtocol.ConnectionList(Node, entries, page.Count > list.Limit);
    }

    private AdminProtocol.GroupList ListGroups(AdminProtocol.ListGroups list)
    {
        IEnumerable<string> names = _members.Keys;
        if (list.After is { } after)
            names = names.Where(name => string.CompareOrdinal(name, after) > 0);
        var page = names.Order(StringComparer.Ordinal).Take(list.Limit + 1).ToArray();
        return new AdminProtocol.GroupList(Node, page.Take(list.Limit).ToArray(), page.Length > list.Limit);
    }

    // The close goes through each connection's outbox; ConnectionClosed follows as for any other close.
    private AdminProtocol.Kicked Kick(AdminProtocol.Kick kick)
    {
        var targets = kick.ConnectionId is { } one
            ? _connections.TryGetValue(one, out var local) && (kick.UserId is null || local.UserId == kick.UserId) ? [local] : []
            : kick.UserId is { } user && _connectionsOf.TryGetValue(user, out var ids) ? ids.Select(id => _connections[id]).ToList() : [];
        foreach (var target in targets)
            target.Connection.Close(CloseCode.PolicyViolation, kick.Reason);
        _log.Info("Audit: kick by {Caller} target {Target} on {Node}: closed {Closed} with 1008 \"{Reason}\"", kick.By,
            kick.ConnectionId is null ? $"user {kick.UserId}" : $"connection {kick.ConnectionId}", Node, targets.Count, kick.Reason);
        return new AdminProtocol.Kicked(Node, targets.Count);
    }

    private void WithConnection(string connectionId, Action<LocalConnection> action)
    {
        if (_connections.TryGetValue(connectionId, out var local))
            action(local);
    }

    private int PartitionOf(LocalConnection local) => (int)((uint)local.Id.GetHashCode() % (uint)_workers.Length);

    private static bool IsDelivered(OfferResult result) => result is OfferResult.Enqueued or OfferResult.Waiting;

    public static Props PropsFor(NodeDeliveryOptions options, IActorRef users, IActorRef groups, RelayLedger relay,
        RoutingCounters counters, ConnectionCounters connectionCounters) =>
        Props.Create(() => new NodeDelivery(options, users, groups, relay, counters, connectionCounters));

    /// <summary>
    /// A connection opened with history on, before every stream it follows answered (its user's bucket entity and those of the
    /// groups it joined at connect): the answers so far and what was routed to it meanwhile, by stream (null: the user's).
    /// </summary>
    private sealed class OpeningConnection(ConnectionOpened opened, long askedAt)
    {
        public ConnectionOpened Opened { get; } = opened;
        public UserProtocol.UserStreamOpened? User { get; set; }
        public Dictionary<string, GroupProtocol.GroupStreamOpened?> Groups { get; } = new();
        public List<(OutboundFrame Frame, string? Group)> Held { get; } = [];
        public long AskedAt { get; set; } = askedAt;
        public int Attempts { get; set; }

        public UserProtocol.AddConnection Ask(IActorRef node)
        {
            Attempts++;
            var local = Opened.Connection;
            return new UserProtocol.AddConnection(local.UserId, local.Id, node, OpensStream: true, Resume: Opened.Resume);
        }
    }

    /// <summary>A join with history on before its group entity answered: the frame's id and the group's frames meanwhile.</summary>
    private sealed class PendingJoin(ReadOnlyMemory<byte> id, long askedAt)
    {
        public ReadOnlyMemory<byte> Id { get; } = id;
        public long AskedAt { get; } = askedAt;
        public List<OutboundFrame> Held { get; } = [];
    }

    private sealed class OpenCheck
    {
        public static readonly OpenCheck Instance = new();
    }
}

/// <summary>
/// The settings of a node's delivery; <see cref="OnReady"/> runs once broadcasts can reach this node; with
/// <see cref="HistoryOn"/> a connection's welcome waits for its user stream's position.
/// </summary>
public sealed record NodeDeliveryOptions(int BroadcastWorkerCount, int MessageQueueSize, int MaxGroupsPerConnection, Action OnReady,
    bool HistoryOn = false);

public static class NodeDeliveryHostingExtensions
{
    /// <summary>Starts this node's delivery actor (after the entities and the relay), registered under <see cref="NodeDelivery"/>.</summary>
    public static AkkaConfigurationBuilder AddNodeDelivery(this AkkaConfigurationBuilder builder, NodeDeliveryOptions options,
        RelayLedger relay, RoutingCounters counters, ConnectionCounters connectionCounters) =>
        builder
            .WithDistributedPubSub(role: null!)
            .WithActors((system, registry) =>
            {
                var delivery = system.ActorOf(NodeDelivery.PropsFor(options, registry.Get<UserBucketEntity>(),
                    registry.Get<GroupEntity>(), relay, counters, connectionCounters),
                    RegistryProtocol.DeliveryActorName);
                registry.Register<NodeDelivery>(delivery);
            });
}

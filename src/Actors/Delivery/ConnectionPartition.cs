using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using Switchboard.Actors.Admin;
using Switchboard.Actors.Delivery.State;
using Switchboard.Actors.Heartbeat;
using Switchboard.Actors.Hooks;
using Switchboard.Actors.History;
using Switchboard.Actors.Hub;
using Switchboard.Actors.Namespaces;
using Switchboard.Actors.Routing;
using Switchboard.Streams;
using Switchboard.Streams.Framing;
using Switchboard.Streams.Json;
using Switchboard.Streams.Outbound;
using static Switchboard.Actors.Delivery.DeliveryProtocol;

namespace Switchboard.Actors.Delivery;

/// <summary>
/// Owns one share of the node's connections (<see cref="NodePartitions.Of"/> decides which): their registration, their
/// users and group memberships as routing sees them, the deliveries and broadcasts to them, their pings and their token
/// deadlines. Entities address a partition as they would a node: one message per partition with recipients, the frame
/// encoded once and shared. With history on, a new connection waits for its streams' positions (<see cref="StreamOpenings"/>)
/// before its welcome.
/// </summary>
public sealed class ConnectionPartition : ReceiveActor, IWithTimers
{
    private static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(1);

    private readonly PartitionOptions _options;
    private readonly PartitionConnections _here = new();
    private readonly TokenDeadlineQueue? _deadlines;
    private readonly DeliveredStamps _delivered = new();
    private readonly StreamOpenings _openings;
    private readonly SessionRefreshes? _sessions;
    private readonly PartitionServices _services;
    private readonly BroadcastQueue _broadcasts;
    private readonly FrameError _tooManyGroups;
    private readonly EventLines? _events;
    private readonly PartitionLeases _leases;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private string? _node;

    public ConnectionPartition(PartitionOptions options, PartitionServices services, BroadcastQueue broadcasts)
    {
        _options = options;
        _services = services;
        _broadcasts = broadcasts;
        _leases = new PartitionLeases(services.Relay.Leases, _here);
        _tooManyGroups = new FrameError("too_many_groups", $"a connection may join at most {options.MaxGroupsPerConnection} groups");
        _deadlines = options.TokenLeeway is { } leeway ? new TokenDeadlineQueue(leeway) : null;
        // Always: a namespace may keep its groups' history while the global setting keeps none.
        _openings = new StreamOpenings(services, Self, _here, () => Node, Reject, _log);
        if (services.Events is { } events)
            _events = new EventLines(happened => events.Tell(happened), services.Clock);
        // Only a connect hook grants sessions: without one nothing here asks about them.
        _sessions = services.Hooks is { } hooks && hooks.Has(HookKind.Connect)
            ? new SessionRefreshes(hooks, Self, services.Clock, _log)
            : null;

        Receive<ConnectionOpened>(Open);
        Receive<ConnectionClosed>(Close);
        Receive<Join>(join => WithConnection(join.ConnectionId, c => JoinGroup(c, join.Group, join.Id, join.Resume, app: join.App)));
        Receive<Leave>(leave => WithConnection(leave.ConnectionId, c => LeaveGroup(c, leave.Group, leave.Id)));
        Receive<DeliverToConnections>(DeliverTo);
        Receive<DeliverToGroup>(DeliverTo);
        Receive<Broadcast>(Fan);
        Receive<Accepted>(accepted => WithConnection(accepted.ConnectionId,
            c => c.Connection.Send(ServerFrames.Ack(accepted.Id, accepted.Seq, accepted.App))));
        Receive<Rejected>(rejected => WithConnection(rejected.ConnectionId, c => Reject(c, rejected.Id, rejected.Error)));
        Receive<JoinAnswered>(JoinAnswered);
        Receive<UserProtocol.UserStreamOpened>(opened => _openings.Opened(opened));
        Receive<GroupProtocol.GroupStreamOpened>(opened =>
        {
            _events?.Confirmed(opened.ConnectionId, opened.Group);
            _openings.Opened(opened);
        });
        Receive<StreamOpenings.Check>(_ => _openings.AskAgain());
        Receive<TokenRenewed>(renewed => WithConnection(renewed.ConnectionId, c => _deadlines?.Track(c.Connection, renewed.Expires)));
        Receive<SweepDeadlines>(_ => Sweep());
        Receive<SessionRefreshes.Sweeping>(_ => _sessions?.Sweep());
        Receive<SessionRefreshes.Answer>(answer => _sessions?.Answered(answer));
        Receive<PingProtocol.Round>(round =>
        {
            var now = Environment.TickCount64;
            foreach (var local in _here.All)
            {
                if (round.Holds(local.Id))
                    local.Connection.Heartbeat(now, options.PingTimeout);
            }
        });
        Receive<RegistryProtocol.FindUsers>(find =>
        {
            _leases.RevokeBucket(find.Bucket);
            find.ReplyTo.Tell(new RegistryProtocol.UsersFound(find.Bucket, _here.UsersOf(find.Bucket), Self));
        });
        Receive<UserProtocol.RevokeLease>(revoke =>
        {
            _leases.Revoke(revoke.UserId);
            Sender.Tell(new UserProtocol.LeaseRevoked(revoke.UserId));
        });
        Receive<RegistryProtocol.FindGroup>(find =>
            find.ReplyTo.Tell(new RegistryProtocol.GroupFound(find.Group, _here.MembersFlattened(find.Group), Self, options.Partitions,
                _here.MemberInfos(find.Group))));
        Receive<GroupProtocol.JoinRefused>(Refused);
        Receive<GroupProtocol.PresenceAnswer>(answer => WithConnection(answer.ConnectionId!, c => c.Connection.Send(answer.Data is { } data
            ? PresenceFrames.Answer(answer.Stats, answer.Group, answer.Id, data)
            : ServerFrames.Error(answer.Id, answer.Error!))));
        Receive<Terminated>(relay => _delivered.Forget(relay.ActorRef));
        Receive<AdminProtocol.ListConnections>(list => Sender.Tell(_here.Listing(list, Node)));
        Receive<AdminProtocol.ListGroups>(list => Sender.Tell(_here.GroupListing(list, Node)));
        Receive<AdminProtocol.ListLargestGroups>(_ => Sender.Tell(new AdminProtocol.GroupSizes(_here.GroupSizes().ToArray())));
        Receive<AdminProtocol.Kick>(kick => Sender.Tell(Kick(kick)));
        Receive<ListHere>(_ => Sender.Tell(_here.All.ToArray()));
        Receive<ClusterEvent.MemberRemoved>(_ => WakePresenceGroups());
        Receive<ClusterEvent.CurrentClusterState>(_ => { });
    }

    // A group's keeper lost with its node comes back only when a message reaches the group. Its presence must not wait for
    // one: every group with presence and members here is woken, and a keeper that starts anew rebuilds its list from the
    // nodes that remain and tells the members (presence_reset). A keeper that survived takes the wake as nothing.
    private void WakePresenceGroups()
    {
        if (_services.Namespaces?.Current is not { } namespaces)
            return;
        foreach (var (group, _) in _here.GroupSizes())
        {
            if (namespaces.For(group).Presence)
                _services.Relay.Send(new GroupProtocol.Wake(group));
        }
    }

    private string Node => _node ??= NodeName.Of(Context.System);

    // A partition's state is the only record of its connections, and they stay open whatever happens here: a restart
    // would forget them while they live. A handler that throws is logged and the partition goes on, as Resume would.
    protected override bool AroundReceive(Receive receive, object message)
    {
        try
        {
            return base.AroundReceive(receive, message);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _log.Error(e, "Connection partition {Partition} failed on {Message}; it keeps its connections and goes on",
                Self.Path.Name, message.GetType().Name);
            return true;
        }
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart()
    {
        if (((ExtendedActorSystem)Context.System).Provider is Akka.Cluster.ClusterActorRefProvider)
            Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot,
                typeof(ClusterEvent.MemberRemoved));
        Timers.StartPeriodicTimer(StreamOpenings.Check.Instance, StreamOpenings.Check.Instance, StreamOpenings.RetryAfter / 2);
        if (_deadlines is not null)
            Timers.StartPeriodicTimer(SweepDeadlines.Instance, SweepDeadlines.Instance, SweepInterval);
        if (_sessions is not null)
            Timers.StartPeriodicTimer(SessionRefreshes.Sweeping.Instance, SessionRefreshes.Sweeping.Instance, SweepInterval);
    }

    private void Open(ConnectionOpened opened)
    {
        var local = opened.Connection;
        if (_here.Add(local))
            _services.Slots.UserArrived();
        _leases.Changed(local.UserId, lastOfUser: false);
        _events?.Connected(local);
        _broadcasts.Connections = _here.Count;
        if (opened.TokenExpires is { } expires)
            _deadlines?.Track(local.Connection, expires);
        if (opened.App?.Expires is { } sessionEnds)
            _sessions?.Track(local, sessionEnds);
        if (_options.HistoryOn)
        {
            // Broadcasts reach it once the welcome is out; routed frames meanwhile are held. The welcome names the streams
            // of the groups that keep history; a resume of one that keeps none is answered after it.
            var joined = new List<string>(opened.Groups.Count);
            var unkept = new List<string>();
            foreach (var group in opened.Groups)
            {
                var resume = opened.ResumeGroups?.GetValueOrDefault(group);
                var path = JoinGroup(local, group, default, resume, opening: true);
                if (path == JoinPath.Stream)
                    joined.Add(group);
                else if (path == JoinPath.Plain && resume is not null)
                    unkept.Add(group);
            }
            _openings.Start(opened, joined, unkept);
            return;
        }
        _services.Users.Tell(new UserProtocol.AddConnection(local.UserId, local.Id, Self));
        // Without history nothing can be replayed: each stream the client asked to resume says so after the welcome.
        if (opened.Resume is not null)
            Unrecovered(local.Connection, null);
        foreach (var group in opened.Groups)
            JoinGroup(local, group, default, opened.ResumeGroups?.GetValueOrDefault(group));
    }

    private void Close(ConnectionClosed closed)
    {
        var local = closed.Connection;
        var (removed, lastOfUser, groups) = _here.Remove(local);
        if (!removed)
            return;
        if (lastOfUser)
            _services.Slots.UserLeft();
        _leases.Changed(local.UserId, lastOfUser);
        _broadcasts.Connections = _here.Count;
        _openings.Forget(local.Id);
        _deadlines?.Untrack(local.Connection);
        _events?.Disconnected(local);
        _sessions?.Forget(local.Id);
        foreach (var group in groups)
        {
            _services.Counters.GroupMembership(group, joined: false);
            _services.Groups.Tell(new GroupProtocol.RemoveMember(group, local.Id, LeaveReason.Closed));
        }
        _services.Users.Tell(new UserProtocol.RemoveConnection(local.UserId, local.Id));
    }

    /// <summary>
    /// Joins the group, unless the connection may join no more. Where the group keeps history its entity's answer, with
    /// the stream's position, acks it; elsewhere the relay's confirmation does.
    /// </summary>
    /// <param name="opening">Part of a connect with history on: the answer goes to the welcome, not to an ack.</param>
    /// <param name="app">What the join hook answered, for the ack's <c>data.app</c>.</param>
    private JoinPath JoinGroup(LocalConnection local, string group, ReadOnlyMemory<byte> id, StreamPosition? resume, bool opening = false,
        ReadOnlyMemory<byte> app = default)
    {
        var joined = _here.Join(local, group, _options.MaxGroupsPerConnection);
        if (joined == PartitionJoin.TooManyGroups)
        {
            Reject(local, id, _tooManyGroups);
            return JoinPath.Refused;
        }
        if (joined == PartitionJoin.FirstHere)
            _services.Counters.GroupMembership(group, joined: true);
        _events?.Joining(local, group);
        if (KeepsHistory(group))
        {
            // The group entity answers with the stream's position (GroupStreamOpened), which is the ack.
            if (!opening)
                _openings.Joining(local.Id, group, id, resume, app);
            _services.Relay.Send(new GroupProtocol.AddMember(group, local.UserId, local.Id, Self, OpensStream: true, Resume: resume,
                Info: local.Info));
            return JoinPath.Stream;
        }
        // The group entity confirms once it knows the member, so a group message sent after the ack is sure to reach this
        // connection; a refused join (group_full) comes back as an error, with the frame's id when it had one.
        _services.Relay.Send(new GroupProtocol.AddMember(group, local.UserId, local.Id, Self, Info: local.Info),
            new RelayProtocol.ReplyTarget(Self, local.Id, id, app, JoinedGroup: _events is null ? null : group));
        if (resume is not null && !opening)
            Unrecovered(local.Connection, group);
        return JoinPath.Plain;
    }

    // The group's namespace decides, the global setting where it says nothing (PROTOCOL.md "Namespaces").
    private bool KeepsHistory(string group) =>
        _services.Namespaces?.Current.For(group).HistorySize is { } size ? size > 0 : _options.HistoryOn;

    private enum JoinPath
    {
        Refused,
        Plain,
        Stream,
    }

    private void LeaveGroup(LocalConnection local, string group, ReadOnlyMemory<byte> id)
    {
        if (_here.Leave(local, group) is not { } lastHere)
        {
            Reject(local, id, new FrameError("unknown_group", $"not a member of \"{group}\""));
            return;
        }
        if (lastHere)
            _services.Counters.GroupMembership(group, joined: false);
        _openings.Left(local.Id, group);
        _events?.Left(local, group);
        _services.Groups.Tell(new GroupProtocol.RemoveMember(group, local.Id, LeaveReason.Left));
        if (!id.IsEmpty)
            local.Connection.Send(ServerFrames.Ack(id));
    }

    // The group refused the join: the connection is no member here either. Without history the relay's refusal brought the
    // error frame; with history the join's answer was awaited here, and the error takes its place.
    private void Refused(GroupProtocol.JoinRefused refused)
    {
        if (_here.Find(refused.ConnectionId) is not { } local)
            return;
        if (_here.Leave(local, refused.Group) is true)
            _services.Counters.GroupMembership(refused.Group, joined: false);
        _events?.Refused(local.Id, refused.Group);
        _openings.Refused(local, refused.Group, refused.Error);
    }

    // With lifecycle events on, a join without history is answered here whether or not it had an id: its joined waits for it.
    private void JoinAnswered(JoinAnswered answered)
    {
        if (_here.Find(answered.ConnectionId) is not { } local)
            return;
        if (answered.Refusal is { } refusal)
        {
            _events?.Refused(local.Id, answered.Group);
            Reject(local, answered.Id, refusal);
            return;
        }
        _events?.Confirmed(local.Id, answered.Group);
        if (!answered.Id.IsEmpty)
            local.Connection.Send(ServerFrames.Ack(answered.Id));
    }

    private void DeliverTo(DeliverToConnections deliver)
    {
        if (IsRepeat(deliver.Stamp, _leases.Granted(deliver.LeaseFor)))
            return;
        _services.Counters.RecordDelivered(DeliveryKind.Direct, DeliverTo(deliver.ConnectionIds, deliver.Frame, deliver.Stamp));
    }

    private int DeliverTo(string[] connectionIds, OutboundFrame frame, RelayStamp? stamp)
    {
        var weighs = StreamMark.Weighs(frame, stamp);
        var delivered = 0;
        foreach (var id in connectionIds)
        {
            if (_openings.TryHold(id, null, frame))
                delivered++;
            else if (weighs && !StillGoes(id, null, frame))
                continue;
            else if (_here.Find(id) is { } local && IsDelivered(local.Connection.Send(frame)))
                delivered++;
        }
        return delivered;
    }

    private void DeliverTo(DeliverToGroup deliver)
    {
        if (IsRepeat(deliver.Stamp) || _here.MembersOf(deliver.Group) is not { } members)
            return;
        var weighs = StreamMark.Weighs(deliver.Frame, deliver.Stamp);
        var delivered = 0;
        foreach (var connection in members)
        {
            if (_openings.TryHold(connection.Id, deliver.Group, deliver.Frame))
                delivered++;
            else if (weighs && !StillGoes(connection.Id, deliver.Group, deliver.Frame))
                continue;
            else if (IsDelivered(connection.Send(deliver.Frame)))
                delivered++;
        }
        _services.Counters.RecordDelivered(DeliveryKind.Group, delivered);
    }

    // A connection still opening gets broadcasts from its welcome on, as one that connected a moment later would.
    private void Fan(Broadcast broadcast)
    {
        try
        {
            var delivered = 0;
            foreach (var local in _here.All)
            {
                if (_openings.IsOpening(local.Id))
                    continue;
                if (IsDelivered(local.Connection.Send(broadcast.Frame)))
                    delivered++;
            }
            _services.Counters.RecordDelivered(DeliveryKind.Broadcast, delivered);
        }
        finally
        {
            // Its place in the queue is given back whatever happened, or the queue would shrink for good.
            _broadcasts.Done();
        }
    }

    /// <summary>Confirms the message to its relay; true for a resent message this partition has already delivered (counted, dropped).</summary>
    private bool IsRepeat(RelayStamp? stamp, UserLease? granted = null)
    {
        if (stamp is null)
            return false;
        // Confirmed before the frame is offered: the connections' outboxes take it at once or drop it by their policy.
        if (!_services.Relay.TrySettleHere(stamp, granted))
            stamp.ConfirmDelivered(Self);
        if (_delivered.IsFirstDelivery(stamp, out var newRelay))
        {
            if (newRelay)
                Context.Watch(stamp.Relay);
            return false;
        }
        _services.Counters.RecordRepeatDropped();
        return true;
    }

    // A resent copy the connection's stream position already counts is a repeat here too, though its stamp is new here.
    private bool StillGoes(string connectionId, string? group, OutboundFrame frame)
    {
        if (_here.StillGoes(connectionId, group, frame))
            return true;
        if (frame.Seq > 0)
            _services.Counters.RecordRepeatDropped();
        return false;
    }

    private void Sweep()
    {
        if (_deadlines!.Due(_services.Clock.GetUtcNow()) is not { } due)
            return;
        foreach (var (connection, close, secondsLeft) in due)
        {
            if (close)
                connection.Close(TokenDeadlineQueue.ExpiredCloseCode, "token expired");
            else
                connection.Send(ServerFrames.TokenExpiring(secondsLeft));
        }
    }

    private void Unrecovered(WebSocketConnection connection, string? group)
    {
        _services.Counters.RecordResume(false);
        connection.Send(ServerFrames.Resumed(group, false, null));
    }

    private void Reject(LocalConnection local, ReadOnlyMemory<byte> id, FrameError error)
    {
        _services.ConnectionCounters.RecordError(error.Code);
        local.Connection.Send(ServerFrames.Error(id, error));
    }

    // The close goes through each connection's outbox; ConnectionClosed follows as for any other close. A user's connections
    // here share this partition, so a kick that closes any is one audit line per node.
    private AdminProtocol.Kicked Kick(AdminProtocol.Kick kick)
    {
        var targets = _here.KickTargets(kick.UserId, kick.ConnectionId);
        foreach (var target in targets)
            target.Connection.Close(CloseCode.PolicyViolation, kick.Reason);
        if (targets.Count > 0)
            _log.Info("Audit: kick by {Caller} target {Target} on {Node}: closed {Closed} with 1008 \"{Reason}\"", kick.By,
                kick.ConnectionId is null ? $"user {kick.UserId}" : $"connection {kick.ConnectionId}", Node, targets.Count, kick.Reason);
        return new AdminProtocol.Kicked(Node, targets.Count);
    }

    private void WithConnection(string connectionId, Action<LocalConnection> action)
    {
        if (_here.Find(connectionId) is { } local)
            action(local);
    }

    private static bool IsDelivered(OfferResult result) => result is OfferResult.Enqueued or OfferResult.Waiting;

    public static Props PropsFor(PartitionOptions options, PartitionServices services, BroadcastQueue broadcasts) =>
        Props.Create(() => new ConnectionPartition(options, services, broadcasts));

    private sealed class SweepDeadlines
    {
        public static readonly SweepDeadlines Instance = new();
    }
}

/// <param name="Partitions">How many partitions the node has: a group's answer to a starting entity comes from each.</param>
/// <param name="PingTimeout">ConnectionTimeout: silence longer than this closes a connection at its next ping round.</param>
/// <param name="TokenLeeway">The tokens' clock skew, past <c>exp</c>, when tokens are on; null without them.</param>
public sealed record PartitionOptions(int Partitions, int MaxGroupsPerConnection, bool HistoryOn, TimeSpan PingTimeout, TimeSpan? TokenLeeway);

/// <summary>What every partition of a node shares: the entities' regions, the relay, the counters, the clock.</summary>
/// <param name="Namespaces">The node's namespaces: which groups keep presence, to be woken when a node is lost.</param>
/// <param name="Events">The node's <see cref="Events.EventSender"/> when <c>Events:Url</c> is set; null, and no event is made, without.</param>
/// <param name="Hooks">The application's hooks, when any is configured: the refresh hook extends the sessions the connect hook grants.</param>
public sealed record PartitionServices(IActorRef Users, IActorRef Groups, RelayLedger Relay, RoutingCounters Counters,
    ConnectionCounters ConnectionCounters, ConnectionSlots Slots, TimeProvider Clock, NamespaceBook? Namespaces = null,
    IActorRef? Events = null, HookCalls? Hooks = null);

using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using Switchboard.Actors.Delivery;
using Switchboard.Actors.History;
using Switchboard.Actors.Namespaces;
using Switchboard.Actors.Routing.State;
using Switchboard.Streams.Json;
using Switchboard.Streams.Outbound;
using static Switchboard.Actors.Routing.GroupProtocol;

namespace Switchboard.Actors.Routing;

/// <summary>
/// The sharded entity of one group. What it knows is a <see cref="GroupState"/> (the members and the nodes they are on)
/// and, with history on, the group's stream, kept as its <see cref="IStreamKeeper"/> chose when it started; the actor
/// receives, asks them, and sends what they answer. A group message costs one message per node with members; each node
/// keeps its own members and hands them the same frame. On start it rebuilds its membership from the nodes (see
/// <see cref="RegistryProtocol"/>); with nothing left to lose it passivates. The rules of its namespace are found when it
/// starts and when the node's configuration reloads (<see cref="NamespaceRules"/>), never per message.
/// </summary>
public sealed class GroupEntity : UntypedActor, IWithUnboundedStash, IWithTimers
{
    private static readonly FrameError PresenceOff = new("presence_off", "this group's namespace does not keep presence");
    private static readonly FrameError NotMember = new("forbidden", "only members of the group may ask who is in it");

    private readonly GroupState _state;
    private readonly RoutingCounters _counters;
    private readonly IStreamKeeper _history;
    private readonly NamespaceBook _namespaces;
    private readonly PresenceOptions _presence;
    private readonly PresenceGate _gate;
    private readonly Action<SendToGroup, Numbering> _route;
    private readonly HistoryOptions _globalHistory;
    private NamespaceRules _rules;
    private EntityRecovery _recovery = null!;

    /// <summary>Members found on the nodes at start whose join has not come in since: a keeper before this one had them.</summary>
    private HashSet<string>? _recoveredOnly;

    public GroupEntity(string group, RoutingCounters counters, HistoryOptions history, HistoryBudget budget, IStreamStore? store = null,
        NamespaceBook? namespaces = null, PresenceOptions? presence = null)
    {
        var self = ((ExtendedActorSystem)Context.System).Provider.DefaultAddress;
        _state = new GroupState(group, node => NodeNameOf(node.Path.Address.HasLocalScope ? self : node.Path.Address));
        _counters = counters;
        _namespaces = namespaces ?? new NamespaceBook(NamespaceTable.Empty);
        _presence = presence ?? PresenceOptions.Defaults;
        _gate = new PresenceGate(_presence);
        _rules = _namespaces.Current.For(group);
        _globalHistory = history;
        _history = StreamKeepers.Choose(HistoryOf(_rules, history), budget, store, "g:", Self, Context.GetLogger());
        _route = Route; // made once: the keeper hands each message back to it
    }

    public IStash Stash { get; set; } = null!;
    public ITimerScheduler Timers { get; set; } = null!;

    // Stash and Timers are given to the actor after its constructor, so recovery starts here.
    protected override void PreStart()
    {
        _recovery = new EntityRecovery(Context, Stash, Timers, Recovered);
        _recovery.Start(new RegistryProtocol.FindGroup(_state.Group, Self));
        if (_history.SweepInterval is { } interval)
            Timers.StartPeriodicTimer(Sweep.Instance, Sweep.Instance, interval);
    }

    protected override void PostStop() => _history.Release();

    protected override void OnReceive(object message)
    {
        if (message is RegistryProtocol.GroupFound found)
        {
            if (_state.Recover(found))
                Context.Watch(found.Node);
            _recovery.Answered(found.Node, found.Answers);
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
            case AddMember add:
                Join(add);
                break;
            case RemoveMember remove:
                if (_state.Leave(remove.ConnectionId) is { } departure)
                    Left(departure, remove.Reason);
                PassivateWhenIdle();
                break;
            case SendToGroup send:
                if (MayPublish(send) is { } refusal)
                    send.Stamp?.Confirm(refusal);
                else
                    _history.Append(_state.Group, send, _route);
                PassivateWhenIdle();
                break;
            case GetPresence ask:
                Answer(ask);
                PassivateWhenIdle();
                break;
            case GetMembers:
                var lister = Sender;
                _history.Read(_state.Group, open: false, read => lister.Tell(_state.Listing(read?.Position)));
                PassivateWhenIdle();
                break;
            case GetGroupHistory get:
                var reader = Sender;
                _history.Read(_state.Group, open: false, since: get.Since, then: read =>
                    reader.Tell(read is null ? new Status.Failure(new StreamStoreUnavailableException("the history store did not answer"))
                        : new GroupHistoryPage(_state.Group, read.Position, read.Messages?.ToArray() ?? [])));
                PassivateWhenIdle();
                break;
            case Sweep:
                _history.Sweep(_ => _state.HasMembers);
                PassivateWhenIdle();
                break;
            case PresenceTick:
                Tick();
                break;
            case Wake wake:
                wake.Stamp?.Confirm();
                PassivateWhenIdle();
                break;
            case DecideReset:
                if (_recoveredOnly is { Count: > 0 } && _state.HasMembers)
                    TellNodes(new DeliveryProtocol.DeliverToGroup(_state.Group, PresenceFrames.Reset(_state.Group)));
                _recoveredOnly = null;
                break;
            case ReloadNamespaces:
                _rules = _namespaces.Current.For(_state.Group);
                _history.Limit(HistoryOf(_rules, _globalHistory));
                break;
            case Terminated node:
                foreach (var lost in _state.NodeLost(node.ActorRef))
                    Left(lost, LeaveReason.NodeLost);
                PassivateWhenIdle();
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void Join(AddMember add)
    {
        // MaxMembers counts connections cluster-wide: this entity knows every one. Members already in stay in.
        if (!_state.IsMember(add.ConnectionId) && add.Stamp is not { Resent: true } && _state.IsFull(_rules.MaxMembers))
        {
            var full = new FrameError("group_full", $"the group has its most members ({_rules.MaxMembers})");
            add.Node.Tell(new JoinRefused(_state.Group, add.ConnectionId, full));
            add.Stamp?.Confirm(full);
            return;
        }
        // The stream first: one started anew now is news only to the members this entity already had.
        if (_history.StartIfNew(_state.Group) is { } started && _state.StreamStarted(started) is { } reset)
            TellNodes(_state.DeliveryOf(reset));
        var joined = _state.Join(add);
        if (joined == Routing.State.Joined.Added)
            Context.Watch(add.Node);
        // A partition registers a joining member before it asks: one found at start is news if its join came after.
        if (joined == Routing.State.Joined.Added || _recoveredOnly?.Remove(add.ConnectionId) is true)
            AnnounceJoin(add);
        // Registered first, answered second: every message numbered after this answer reaches the member live, every one
        // before it is in the replay or the position. A resent copy is answered again; the node takes the first answer.
        // A keeper without history (a reload gave the namespace history after this entity started) answers with no stream.
        if (add.OpensStream)
            _history.Read(_state.Group, open: true, read => add.Node.Tell(_state.Opened(add, read)), add.Resume);
        add.Stamp?.Confirm();
    }

    private FrameError? MayPublish(SendToGroup send) => send.ConnectionId is not { } connectionId
        ? null // the HTTP API
        : _rules.ClientPublish switch
        {
            ClientPublish.None => ClientPublishRefusals.None,
            ClientPublish.Members when !_state.IsMember(connectionId) => ClientPublishRefusals.Members,
            _ => null,
        };

    // With a store this runs when the store answered, in the order of the calls, for the members the group has then.
    private void Route(SendToGroup send, Numbering numbering)
    {
        var dispatch = _state.Route(numbering);
        if (dispatch.StreamReset is { } reset)
            TellNodes(_state.DeliveryOf(reset));
        if (dispatch.Frame is { } frame)
        {
            TellNodes(_state.DeliveryOf(frame, send.Stamp, dispatch.Seq));
            return;
        }
        if (dispatch.Undeliverable)
            _counters.RecordUndeliverable();
        send.Stamp?.Confirm(dispatch.Refusal, dispatch.Seq);
    }

    private void Answer(GetPresence ask)
    {
        var error = !_rules.Presence ? PresenceOff
            : ask.ConnectionId is { } connectionId && !_state.IsMember(connectionId) ? NotMember
            : null;
        var data = error is not null ? null : ask.Stats ? _state.PresenceStats() : _state.PresencePage(ask.Cursor, _presence.PageSize);
        ask.ReplyTo.Tell(new PresenceAnswer(_state.Group, ask.Stats, ask.ConnectionId, ask.Id, data, error));
    }

    private bool EventsOn => _rules is { Presence: true, PresenceEvents: true };

    private void AnnounceJoin(AddMember add)
    {
        if (!EventsOn)
            return;
        var first = _state.ConnectionsOf(add.UserId) == 1;
        // A user back within LeaveDelay (a reloading tab): neither its leave nor this join is news.
        if (first && _gate.CameBack(add.UserId))
            return;
        SendEvent(PresenceFrames.Join(_state.Group, add.UserId, add.ConnectionId, add.Info, first));
    }

    private void Left(Departure departure, LeaveReason reason)
    {
        if (!EventsOn)
            return;
        var why = ReasonOf(reason);
        if (departure.Last && _gate.Delay(departure, why, Environment.TickCount64))
        {
            StartTicking();
            return;
        }
        SendEvent(PresenceFrames.Leave(_state.Group, departure.Member.UserId, departure.ConnectionId, departure.Last, why));
    }

    private void SendEvent(OutboundFrame frame)
    {
        if (!_state.HasMembers)
            return;
        if (_gate.MaySend(_state.Connections, Environment.TickCount64))
            TellNodes(new DeliveryProtocol.DeliverToGroup(_state.Group, frame));
        else
            StartTicking();
    }

    private void Tick()
    {
        var (leaves, coalesced) = _gate.Tick(Environment.TickCount64);
        foreach (var leave in leaves)
        {
            if (_state.ConnectionsOf(leave.Departure.Member.UserId) == 0)
                SendEvent(PresenceFrames.Leave(_state.Group, leave.Departure.Member.UserId, leave.Departure.ConnectionId, true, leave.Reason));
        }
        if (coalesced && _state.HasMembers)
            TellNodes(new DeliveryProtocol.DeliverToGroup(_state.Group, PresenceFrames.Coalesced(_state.Group, _state.Users, _state.Connections)));
        if (!_gate.HasWork)
            Timers.Cancel(PresenceTick.Instance);
        PassivateWhenIdle();
    }

    private void StartTicking()
    {
        if (!Timers.IsTimerActive(PresenceTick.Instance))
            Timers.StartPeriodicTimer(PresenceTick.Instance, PresenceTick.Instance, TimeSpan.FromSeconds(1));
    }

    // Members found on the nodes at start were in the group under a keeper that is gone (its node lost, or its shard
    // moved): who left meanwhile cannot be named, so the members fetch the list again. A member found only because its
    // join, which started this entity, is on its way was no keeper's: the decision waits until the stashed joins are in.
    private void Recovered()
    {
        if (!_rules.Presence || !_state.HasMembers)
            return;
        _recoveredOnly = _state.ConnectionIds.ToHashSet();
        Self.Tell(DecideReset.Instance); // after the stashed messages, which go back to the front of the mailbox
    }

    private void TellNodes(DeliveryProtocol.DeliverToGroup deliver)
    {
        foreach (var node in _state.Nodes)
            node.Tell(deliver);
    }

    private void PassivateWhenIdle()
    {
        if (_state.MayPassivate(_history))
            Context.Parent.Tell(new Passivate(PoisonPill.Instance));
    }

    private static string ReasonOf(LeaveReason reason) => reason switch
    {
        LeaveReason.Closed => "closed",
        LeaveReason.NodeLost => "node_lost",
        _ => "left",
    };

    private static string NodeNameOf(Address address) => $"{address.Host}:{address.Port}";

    // Whether a group keeps history is its namespace's (PROTOCOL.md "Namespaces"), the global settings where it says nothing.
    private static HistoryOptions HistoryOf(NamespaceRules rules, HistoryOptions global) =>
        new(rules.HistorySize ?? global.Size, rules.HistoryTtl ?? global.Ttl);

    public static Props PropsFor(string group, RoutingCounters counters, HistoryOptions history, HistoryBudget budget,
        IStreamStore? store = null, NamespaceBook? namespaces = null, PresenceOptions? presence = null) =>
        Props.Create(() => new GroupEntity(group, counters, history, budget, store, namespaces, presence));

    private sealed class Sweep
    {
        public static readonly Sweep Instance = new();
    }

    private sealed class DecideReset
    {
        public static readonly DecideReset Instance = new();
    }

    private sealed class PresenceTick
    {
        public static readonly PresenceTick Instance = new();
    }
}

/// <summary>Routes group messages to their entity: the group name is the entity id.</summary>
public sealed class GroupMessageExtractor(int shardCount) : HashCodeMessageExtractor(shardCount)
{
    public override string? EntityId(object message) => (message as IGroupMessage)?.Group;
}

public static class GroupEntityHostingExtensions
{
    /// <summary>The shard region's type name: the same in every version, so that nodes of two versions share the region.</summary>
    public const string RegionName = "group";

    /// <summary>Starts the group entities' shard region, registered under <see cref="GroupEntity"/>.</summary>
    public static AkkaConfigurationBuilder AddGroupEntities(this AkkaConfigurationBuilder builder, int shardCount,
        RoutingCounters counters, HistoryOptions history, HistoryBudget budget, IStreamStore? store = null,
        NamespaceBook? namespaces = null, PresenceOptions? presence = null) =>
        builder.WithShardRegion<GroupEntity>(RegionName,
            group => GroupEntity.PropsFor(group, counters, history, budget, store, namespaces, presence),
            new GroupMessageExtractor(shardCount), new ShardOptions());
}

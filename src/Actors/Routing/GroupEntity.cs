using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using Switchboard.Actors.Delivery;
using Switchboard.Actors.History;
using Switchboard.Actors.Routing.State;
using static Switchboard.Actors.Routing.GroupProtocol;

namespace Switchboard.Actors.Routing;

/// <summary>
/// The sharded entity of one group. What it knows is a <see cref="GroupState"/> (the members and the nodes they are on)
/// and, with history on, the group's stream, kept as its <see cref="IStreamKeeper"/> chose when it started; the actor
/// receives, asks them, and sends what they answer. A group message costs one message per node with members; each node
/// keeps its own members and hands them the same frame. On start it rebuilds its membership from the nodes (see
/// <see cref="RegistryProtocol"/>); with nothing left to lose it passivates.
/// </summary>
public sealed class GroupEntity : UntypedActor, IWithUnboundedStash, IWithTimers
{
    private readonly GroupState _state;
    private readonly RoutingCounters _counters;
    private readonly IStreamKeeper _history;
    private readonly Action<SendToGroup, Numbering> _route;
    private EntityRecovery _recovery = null!;

    public GroupEntity(string group, RoutingCounters counters, HistoryOptions history, HistoryBudget budget, IStreamStore? store = null)
    {
        _state = new GroupState(group);
        _counters = counters;
        _history = StreamKeepers.Choose(history, budget, store, "g:", Self, Context.GetLogger());
        _route = Route; // made once: the keeper hands each message back to it
    }

    public IStash Stash { get; set; } = null!;
    public ITimerScheduler Timers { get; set; } = null!;

    // Stash and Timers are given to the actor after its constructor, so recovery starts here.
    protected override void PreStart()
    {
        _recovery = new EntityRecovery(Context, Stash, Timers);
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
                _state.Leave(remove.ConnectionId);
                PassivateWhenIdle();
                break;
            case SendToGroup send:
                _history.Append(_state.Group, send, _route);
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
            case Terminated node:
                _state.NodeLost(node.ActorRef);
                PassivateWhenIdle();
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void Join(AddMember add)
    {
        // The stream first: one started anew now is news only to the members this entity already had.
        if (_history.StartIfNew(_state.Group) is { } started && _state.StreamStarted(started) is { } reset)
            TellNodes(_state.DeliveryOf(reset));
        if (_state.Join(add) == Joined.Added)
            Context.Watch(add.Node);
        // Registered first, answered second: every message numbered after this answer reaches the member live, every one
        // before it is in the replay or the position. A resent copy is answered again; the node takes the first answer.
        if (add.OpensStream && _history.KeepsHistory)
            _history.Read(_state.Group, open: true, read => add.Node.Tell(_state.Opened(add, read)), add.Resume);
        add.Stamp?.Confirm();
    }

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

    public static Props PropsFor(string group, RoutingCounters counters, HistoryOptions history, HistoryBudget budget,
        IStreamStore? store = null) =>
        Props.Create(() => new GroupEntity(group, counters, history, budget, store));

    private sealed class Sweep
    {
        public static readonly Sweep Instance = new();
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
        RoutingCounters counters, HistoryOptions history, HistoryBudget budget, IStreamStore? store = null) =>
        builder.WithShardRegion<GroupEntity>(RegionName, group => GroupEntity.PropsFor(group, counters, history, budget, store),
            new GroupMessageExtractor(shardCount), new ShardOptions());
}

using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Switchboard.Actors.Delivery;
using Switchboard.Streams.Json;
using static Switchboard.Actors.Routing.GroupProtocol;

namespace Switchboard.Actors.Routing;

/// <summary>
/// One group: its exact membership (for operators) and the nodes its members are on (for fan-out).
/// A group message costs one message per node with members; each node keeps its own members
/// and hands them the same frame. With no member left the entity passivates. On start it
/// rebuilds its membership from the nodes (see <see cref="RegistryProtocol"/>).
/// </summary>
public sealed class GroupRouter : UntypedActor, IWithUnboundedStash, IWithTimers
{
    private static readonly FrameError UnknownGroup = new("unknown_group", "the group has no members");

    private readonly string _group;
    private readonly RoutingCounters _counters;
    private readonly Dictionary<string, (string UserId, IActorRef Node)> _members = new();
    private readonly Dictionary<IActorRef, int> _membersOnNode = new();
    private EntityRecovery _recovery = null!;

    public GroupRouter(string group, RoutingCounters counters)
    {
        _group = group;
        _counters = counters;
    }

    public IStash Stash { get; set; } = null!;
    public ITimerScheduler Timers { get; set; } = null!;

    // Stash and Timers are given to the actor after its constructor, so recovery starts here.
    protected override void PreStart()
    {
        _recovery = new EntityRecovery(Context, Stash, Timers);
        _recovery.Start(new RegistryProtocol.FindGroup(_group, Self));
    }

    protected override void OnReceive(object message)
    {
        if (message is RegistryProtocol.GroupFound found)
        {
            Found(found);
            return;
        }
        if (_recovery.Intercept(message))
            return;
        switch (message)
        {
            case AddMember add:
                Add(add);
                break;
            case RemoveMember remove:
                Remove(remove.ConnectionId);
                PassivateWhenEmpty();
                break;
            case SendToGroup send:
                Send(send);
                break;
            case GetMembers:
                Sender.Tell(Listing());
                PassivateWhenEmpty();
                break;
            case Terminated node:
                foreach (var id in _members.Where(m => m.Value.Node.Equals(node.ActorRef)).Select(m => m.Key).ToList())
                    Remove(id);
                PassivateWhenEmpty();
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void Found(RegistryProtocol.GroupFound found)
    {
        for (var i = 0; i + 1 < found.Members.Length; i += 2)
            Add(found.Members[i + 1], found.Members[i], found.Node);
        _recovery.Answered(found.Node);
    }

    private void Add(AddMember add)
    {
        if (add.Stamp is not { Resent: true })
            Add(add.ConnectionId, add.UserId, add.Node);
        add.Stamp?.Confirm();
    }

    private void Add(string connectionId, string userId, IActorRef node)
    {
        if (!_members.TryAdd(connectionId, (userId, node)))
            return;
        _membersOnNode[node] = _membersOnNode.GetValueOrDefault(node) + 1;
        Context.Watch(node);
    }

    private void Remove(string connectionId)
    {
        if (!_members.Remove(connectionId, out var member))
            return;
        var left = _membersOnNode[member.Node] - 1;
        if (left > 0)
            _membersOnNode[member.Node] = left;
        else
            _membersOnNode.Remove(member.Node);
    }

    private void Send(SendToGroup send)
    {
        if (_members.Count == 0)
        {
            _counters.RecordUndeliverable();
            send.Stamp?.Confirm(UnknownGroup);
            PassivateWhenEmpty();
            return;
        }
        var deliver = new DeliveryProtocol.DeliverToGroup(_group, send.Frame, send.Stamp?.RoutedTo(_membersOnNode.Count));
        foreach (var node in _membersOnNode.Keys)
            node.Tell(deliver);
    }

    private Members Listing() => new(_group,
        _members.Values.GroupBy(m => m.UserId).Select(g => new Member(g.Key, g.Count())).OrderBy(m => m.UserId, StringComparer.Ordinal).ToList(),
        _members.Count);

    private void PassivateWhenEmpty()
    {
        if (_members.Count == 0)
            Context.Parent.Tell(new Passivate(PoisonPill.Instance));
    }

    public static Props PropsFor(string group, RoutingCounters counters) => Props.Create(() => new GroupRouter(group, counters));
}

/// <summary>Routes group messages to their entity: the group name is the entity id.</summary>
public sealed class GroupMessageExtractor(int shardCount) : HashCodeMessageExtractor(shardCount)
{
    public override string? EntityId(object message) => (message as IGroupMessage)?.Group;
}

public static class GroupRouterHostingExtensions
{
    public const string RegionName = "group";

    /// <summary>Starts the group router's shard region, registered under <see cref="GroupRouter"/>.</summary>
    public static AkkaConfigurationBuilder AddGroupRouter(this AkkaConfigurationBuilder builder, int shardCount,
        RoutingCounters counters) =>
        builder.WithShardRegion<GroupRouter>(RegionName, group => GroupRouter.PropsFor(group, counters),
            new GroupMessageExtractor(shardCount), new ShardOptions());
}

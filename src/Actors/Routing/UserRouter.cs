using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using Switchboard.Actors.Delivery;
using static Switchboard.Actors.Routing.UserProtocol;

namespace Switchboard.Actors.Routing;

/// <summary>
/// One bucket of users (<see cref="UserBuckets"/>): which connections of each live on which node. A
/// message to a user costs one message per node holding its connections. With no connection left in
/// the bucket the entity passivates, so memory follows the live population. On start it rebuilds that
/// knowledge from the nodes (see <see cref="RegistryProtocol"/>), so a shard that moves loses nothing.
/// </summary>
public sealed class UserRouter : UntypedActor, IWithUnboundedStash, IWithTimers
{
    private readonly int _bucket;
    private readonly RoutingCounters _counters;

    /// <summary>User id → its connections, each with the delivery actor of the node holding it.</summary>
    private readonly Dictionary<string, UserConnections> _connectionsOf = new();

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private EntityRecovery _recovery = null!;

    public UserRouter(int bucket, RoutingCounters counters)
    {
        _bucket = bucket;
        _counters = counters;
    }

    public IStash Stash { get; set; } = null!;
    public ITimerScheduler Timers { get; set; } = null!;

    // Stash and Timers are given to the actor after its constructor, so recovery starts here.
    protected override void PreStart()
    {
        _recovery = new EntityRecovery(Context, Stash, Timers);
        _recovery.Start(new RegistryProtocol.FindUsers(_bucket, Self));
    }

    protected override void OnReceive(object message)
    {
        if (message is RegistryProtocol.UsersFound found)
        {
            Found(found);
            return;
        }
        if (_recovery.Intercept(message))
            return;
        switch (message)
        {
            case AddConnection add:
                Add(add.UserId, add.ConnectionId, add.Node);
                Context.Watch(add.Node);
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
            case GetConnections get:
                Sender.Tell(_connectionsOf.TryGetValue(get.UserId, out var of)
                    ? new Connections(get.UserId, of.Count, of.NodeCount)
                    : new Connections(get.UserId, 0, 0));
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
        if (!_connectionsOf.TryGetValue(send.UserId, out var connections))
        {
            _counters.RecordUndeliverable();
            _log.Debug("No connection for user {UserId}; message counted as undeliverable", send.UserId);
            send.Stamp?.Confirm();
            PassivateWhenEmpty();
            return;
        }
        if (connections.OnlyNode() is { } node)
        {
            // The usual case, a user on one node, without grouping.
            node.Tell(new DeliveryProtocol.DeliverToConnections(connections.Ids(), send.Frame, send.Stamp?.RoutedTo(1)));
            return;
        }
        var perNode = connections.All.GroupBy(e => e.Value).ToList();
        var stamp = send.Stamp?.RoutedTo(perNode.Count);
        foreach (var onNode in perNode)
            onNode.Key.Tell(new DeliveryProtocol.DeliverToConnections(onNode.Select(e => e.Key).ToArray(), send.Frame, stamp));
    }

    private void PassivateWhenEmpty()
    {
        if (_connectionsOf.Count == 0)
            Context.Parent.Tell(new Passivate(PoisonPill.Instance));
    }

    public static Props PropsFor(int bucket, RoutingCounters counters) => Props.Create(() => new UserRouter(bucket, counters));
}

/// <summary>Routes user messages to the entity of their user's bucket.</summary>
public sealed class UserMessageExtractor(int shardCount) : HashCodeMessageExtractor(shardCount)
{
    public override string? EntityId(object message) => message is IUserMessage m ? UserBuckets.EntityIdOf(m.UserId) : null;
}

public static class UserRouterHostingExtensions
{
    public const string RegionName = "user";

    /// <summary>Starts the user router's shard region, registered under <see cref="UserRouter"/>.</summary>
    public static AkkaConfigurationBuilder AddUserRouter(this AkkaConfigurationBuilder builder, int shardCount,
        RoutingCounters counters) =>
        builder.WithShardRegion<UserRouter>(RegionName, bucket => UserRouter.PropsFor(int.Parse(bucket), counters),
            new UserMessageExtractor(shardCount), new ShardOptions());
}

using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using Switchboard.Actors.Delivery;
using static Switchboard.Actors.Routing.UserProtocol;

namespace Switchboard.Actors.Routing;

/// <summary>
/// One user: which of its connections live on which node. A message to the user costs one
/// message per node holding its connections. With no connection left the entity passivates,
/// so memory follows the live population. On start it rebuilds that knowledge from the nodes
/// (see <see cref="RegistryProtocol"/>), so a shard that moves loses nothing.
/// </summary>
public sealed class UserRouter : UntypedActor, IWithUnboundedStash, IWithTimers
{
    private readonly string _userId;
    private readonly RoutingCounters _counters;
    private readonly Dictionary<string, IActorRef> _nodeOf = new();
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private EntityRecovery _recovery = null!;

    public UserRouter(string userId, RoutingCounters counters)
    {
        _userId = userId;
        _counters = counters;
    }

    public IStash Stash { get; set; } = null!;
    public ITimerScheduler Timers { get; set; } = null!;

    // Stash and Timers are given to the actor after its constructor, so recovery starts here.
    protected override void PreStart()
    {
        _recovery = new EntityRecovery(Context, Stash, Timers);
        _recovery.Start(new RegistryProtocol.FindUser(_userId, Self));
    }

    protected override void OnReceive(object message)
    {
        if (message is RegistryProtocol.UserFound found)
        {
            Found(found);
            return;
        }
        if (_recovery.Intercept(message))
            return;
        switch (message)
        {
            case AddConnection add:
                _nodeOf[add.ConnectionId] = add.Node;
                Context.Watch(add.Node);
                break;
            case RemoveConnection remove:
                _nodeOf.Remove(remove.ConnectionId);
                PassivateWhenEmpty();
                break;
            case SendToUser send:
                Send(send);
                break;
            case GetConnections:
                Sender.Tell(new Connections(_userId, _nodeOf.Count, _nodeOf.Values.Distinct().Count()));
                PassivateWhenEmpty();
                break;
            case Terminated node:
                // The node left or crashed: its connections are gone with it.
                foreach (var id in _nodeOf.Where(e => e.Value.Equals(node.ActorRef)).Select(e => e.Key).ToList())
                    _nodeOf.Remove(id);
                PassivateWhenEmpty();
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void Found(RegistryProtocol.UserFound found)
    {
        foreach (var id in found.ConnectionIds)
            _nodeOf[id] = found.Node;
        if (found.ConnectionIds.Length > 0)
            Context.Watch(found.Node);
        _recovery.Answered();
    }

    private void Send(SendToUser send)
    {
        if (_nodeOf.Count == 0)
        {
            _counters.RecordUndeliverable();
            _log.Debug("No connection for user {0}; message counted as undeliverable", _userId);
            PassivateWhenEmpty();
            return;
        }
        foreach (var perNode in _nodeOf.GroupBy(e => e.Value))
            perNode.Key.Tell(new DeliveryProtocol.DeliverToConnections(perNode.Select(e => e.Key).ToArray(), send.Frame));
    }

    private void PassivateWhenEmpty()
    {
        if (_nodeOf.Count == 0)
            Context.Parent.Tell(new Passivate(PoisonPill.Instance));
    }

    public static Props PropsFor(string userId, RoutingCounters counters) => Props.Create(() => new UserRouter(userId, counters));
}

/// <summary>Routes user messages to their entity: the user id is the entity id.</summary>
public sealed class UserMessageExtractor(int shardCount) : HashCodeMessageExtractor(shardCount)
{
    public override string? EntityId(object message) => (message as IUserMessage)?.UserId;
}

public static class UserRouterHostingExtensions
{
    public const string RegionName = "user";

    /// <summary>Starts the user router's shard region, registered under <see cref="UserRouter"/>.</summary>
    public static AkkaConfigurationBuilder AddUserRouter(this AkkaConfigurationBuilder builder, int shardCount,
        RoutingCounters counters) =>
        builder.WithShardRegion<UserRouter>(RegionName, userId => UserRouter.PropsFor(userId, counters),
            new UserMessageExtractor(shardCount), new ShardOptions());
}

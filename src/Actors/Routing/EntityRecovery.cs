using Akka.Actor;
using Akka.Cluster;

namespace Switchboard.Actors.Routing;

/// <summary>
/// The start of a router entity: ask the delivery actor of every Up member, stash everything else until
/// each of them has answered or <see cref="Timeout"/> passes, then take the stashed messages back. The
/// query goes to each member's delivery actor by its path, not over distributed pub-sub: on a node that has
/// just joined, pub-sub does not yet know the others' subscriptions, and a leaving node's answer must not
/// stand in for a member's.
/// </summary>
internal sealed class EntityRecovery(IActorContext context, IStash stash, ITimerScheduler timers)
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    private readonly HashSet<Address> _awaiting = [];
    private Address _self = Address.AllSystems;
    private bool _done;

    public void Start(object query)
    {
        if (((ExtendedActorSystem)context.System).Provider is ClusterActorRefProvider)
        {
            var cluster = Cluster.Get(context.System);
            _self = cluster.SelfAddress;
            _awaiting.UnionWith(cluster.State.Members.Where(m => m.Status == MemberStatus.Up).Select(m => m.Address));
        }
        if (_awaiting.Count == 0)
        {
            Finish(); // no cluster, or not a member yet: there is nobody to ask
            return;
        }
        foreach (var member in _awaiting)
            context.ActorSelection(new RootActorPath(member) / "user" / RegistryProtocol.DeliveryActorName).Tell(query);
        timers.StartSingleTimer(this, Expired.Instance, Timeout);
    }

    /// <summary>Counts the answer of the node whose delivery actor is <paramref name="node"/>; finishes when every member asked has answered.</summary>
    public void Answered(IActorRef node)
    {
        var address = node.Path.Address.HasLocalScope ? _self : node.Path.Address;
        if (_awaiting.Remove(address) && _awaiting.Count == 0)
            Finish();
    }

    /// <summary>Handles a message while recovering: true when it was stashed or was the timeout.</summary>
    public bool Intercept(object message)
    {
        if (_done)
            return false;
        if (message is Expired)
            Finish();
        else
            stash.Stash();
        return true;
    }

    private void Finish()
    {
        if (_done)
            return;
        _done = true;
        timers.Cancel(this);
        stash.UnstashAll();
    }

    private sealed class Expired
    {
        public static readonly Expired Instance = new();
    }
}

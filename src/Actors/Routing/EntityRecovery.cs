using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Tools.PublishSubscribe;

namespace Switchboard.Actors.Routing;

/// <summary>
/// The start of a router entity: ask every Up member, stash everything else until each has
/// answered or <see cref="Timeout"/> passes, then take the stashed messages back.
/// </summary>
internal sealed class EntityRecovery(IActorContext context, IStash stash, ITimerScheduler timers)
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    private int _awaiting;
    private bool _done;

    public bool IsRecovering => !_done;

    public void Start(object query)
    {
        _awaiting = ((ExtendedActorSystem)context.System).Provider is ClusterActorRefProvider
            ? Cluster.Get(context.System).State.Members.Count(m => m.Status == MemberStatus.Up)
            : 0;
        if (_awaiting == 0)
        {
            Finish(); // no cluster, or not a member yet: there is nobody to ask
            return;
        }
        DistributedPubSub.Get(context.System).Mediator.Tell(new Publish(RegistryProtocol.Topic, query));
        timers.StartSingleTimer(this, Expired.Instance, Timeout);
    }

    /// <summary>Counts one node's answer; finishes when all have answered.</summary>
    public void Answered()
    {
        if (--_awaiting <= 0)
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

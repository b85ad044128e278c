using Akka.Actor;
using Akka.Cluster;

namespace Switchboard.Actors.Routing;

/// <summary>
/// The start of a router entity: ask every Up member, stash everything else until each of them has answered
/// (every answer it said it would send: one per partition for a group) or <see cref="Timeout"/> passes, then take
/// the stashed messages back. The query goes to each member by path (<see cref="RegistryProtocol.DeliveryActorName"/>),
/// not over distributed pub-sub: on a node that has just joined, pub-sub does not yet know the others'
/// subscriptions, and a leaving node's answer must not stand in for a member's.
/// </summary>
/// <param name="recovered">Runs once every member has answered or the time is up, before the stashed messages.</param>
internal sealed class EntityRecovery(IActorContext context, IStash stash, ITimerScheduler timers, Action? recovered = null)
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    /// <summary>The members yet to answer, with how many answers are still due from each (0: not known yet).</summary>
    private readonly Dictionary<Address, int> _awaiting = [];
    private Address _self = Address.AllSystems;
    private bool _done;

    public void Start(object query)
    {
        if (((ExtendedActorSystem)context.System).Provider is ClusterActorRefProvider)
        {
            var cluster = Cluster.Get(context.System);
            _self = cluster.SelfAddress;
            foreach (var member in cluster.State.Members.Where(m => m.Status == MemberStatus.Up))
                _awaiting[member.Address] = 0;
        }
        if (_awaiting.Count == 0)
        {
            Finish(); // no cluster, or not a member yet: there is nobody to ask
            return;
        }
        foreach (var member in _awaiting.Keys)
            context.ActorSelection(new RootActorPath(member) / "user" / RegistryProtocol.DeliveryActorName).Tell(query);
        timers.StartSingleTimer(this, Expired.Instance, Timeout);
    }

    /// <summary>
    /// Counts an answer from <paramref name="partition"/>, one of <paramref name="answers"/> its node sends; finishes when
    /// every member asked has sent them all.
    /// </summary>
    public void Answered(IActorRef partition, int answers = 1)
    {
        var address = partition.Path.Address.HasLocalScope ? _self : partition.Path.Address;
        if (!_awaiting.TryGetValue(address, out var due))
            return;
        due = (due == 0 ? Math.Max(answers, 1) : due) - 1;
        if (due > 0)
            _awaiting[address] = due;
        else if (_awaiting.Remove(address) && _awaiting.Count == 0)
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
        recovered?.Invoke();
        stash.UnstashAll();
    }

    private sealed class Expired
    {
        public static readonly Expired Instance = new();
    }
}

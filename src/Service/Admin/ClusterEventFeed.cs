using System.Threading.Channels;
using Akka.Actor;
using Akka.Cluster;
using Switchboard.Contracts;
using ClusterEvent = Switchboard.Contracts.ClusterEvent;
using static Akka.Cluster.ClusterEvent;

namespace Switchboard.Service.Admin;

/// <summary>
/// One per <c>cluster/events</c> stream: subscribes to this node's membership and reachability events (the current
/// members first, as <c>member_up</c> and the like) and hands each to the stream's channel. The channel drops its oldest
/// events for a reader that does not keep up, so the actor never waits on a slow HTTP client.
/// </summary>
public sealed class ClusterEventFeed : ReceiveActor
{
    public ClusterEventFeed(ChannelWriter<ClusterEvent> events)
    {
        Receive<IMemberEvent>(e => events.TryWrite(Of(e)));
        Receive<IReachabilityEvent>(e => events.TryWrite(Of(e)));
        Receive<LeaderChanged>(e => events.TryWrite(new ClusterEvent(DateTimeOffset.UtcNow, "leader_changed",
            e.Leader?.ToString() ?? "", null)));
        Receive<IClusterDomainEvent>(_ => { });
    }

    protected override void PreStart() =>
        Cluster.Get(Context.System).Subscribe(Self, SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(IMemberEvent), typeof(IReachabilityEvent), typeof(LeaderChanged));

    protected override void PostStop() => Cluster.Get(Context.System).Unsubscribe(Self);

    public static ClusterEvent Of(IMemberEvent e) => new(DateTimeOffset.UtcNow, e switch
    {
        MemberJoined => "member_joined",
        MemberWeaklyUp => "member_weakly_up",
        MemberUp => "member_up",
        MemberLeft => "member_left",
        MemberExited => "member_exited",
        MemberDowned => "member_downed",
        MemberRemoved => "member_removed",
        _ => "member_" + e.GetType().Name.ToLowerInvariant(),
    }, e.Member.Address.ToString(), StatusOf(e.Member.Status));

    public static ClusterEvent Of(IReachabilityEvent e) => e switch
    {
        UnreachableMember u => new(DateTimeOffset.UtcNow, "unreachable", u.Member.Address.ToString(), StatusOf(u.Member.Status)),
        ReachableMember r => new(DateTimeOffset.UtcNow, "reachable", r.Member.Address.ToString(), StatusOf(r.Member.Status)),
        _ => new(DateTimeOffset.UtcNow, e.GetType().Name.ToLowerInvariant(), "", null),
    };

    /// <summary>As Akka (and pbm) name it: <c>Up</c>, <c>Leaving</c>, <c>Exiting</c>, ...</summary>
    public static string StatusOf(MemberStatus status) => status.ToString();

    public static Props PropsFor(ChannelWriter<ClusterEvent> events) => Props.Create(() => new ClusterEventFeed(events));
}

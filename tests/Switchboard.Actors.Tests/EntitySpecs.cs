using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using Akka.TestKit;
using Switchboard.Actors.Delivery;
using Switchboard.Actors.History;
using Switchboard.Actors.Routing;
using Switchboard.Streams.Outbound;

namespace Switchboard.Actors.Tests;

/// <summary>The entities on their own: each is the child of a probe standing in for its shard.</summary>
public sealed class UserBucketEntitySpecs : Akka.Hosting.TestKit.TestKit
{
    private readonly RoutingCounters _counters = new();
    private static readonly OutboundFrame Frame = OutboundFrame.Text("""{"type":"chat"}"""u8);
    private static readonly OutboundFrame Marker = OutboundFrame.Text("""{"type":"marker"}"""u8);

    // A plain actor system: with no cluster to recover from, the entities start at once.
    protected override void ConfigureAkka(AkkaConfigurationBuilder builder, IServiceProvider provider)
    {
    }

    private (TestProbe Shard, IActorRef Entity) Start(string user)
    {
        var shard = CreateTestProbe();
        return (shard, shard.ChildActorOf(UserBucketEntity.PropsFor(UserBuckets.Of(user), _counters, new HistoryOptions(0, HistoryOptions.DefaultTtl), new HistoryBudget(HistoryBudget.DefaultMaxBytes))));
    }

    [Fact]
    public void A_message_goes_once_to_each_node_holding_connections_of_the_user()
    {
        var (_, entity) = Start("bob");
        var (node1, node2) = (CreateTestProbe(), CreateTestProbe());
        entity.Tell(new UserProtocol.AddConnection("bob", "c1", node1));
        entity.Tell(new UserProtocol.AddConnection("bob", "c2", node1));
        entity.Tell(new UserProtocol.AddConnection("bob", "c3", node2));

        var relay = CreateTestProbe();
        var stamp = new RelayStamp(relay, 5, Resent: false);
        entity.Tell(new UserProtocol.SendToUser("bob", Frame, stamp));

        var toNode1 = node1.ExpectMsg<DeliveryProtocol.DeliverToConnections>();
        Assert.Equal(["c1", "c2"], toNode1.ConnectionIds.Order());
        Assert.Same(Frame, toNode1.Frame);
        // The recipient nodes confirm to the relay, each naming the route and how many nodes it reaches.
        Assert.Equal((5, 2), (toNode1.Stamp!.Seq, toNode1.Stamp.Nodes));
        var toNode2 = node2.ExpectMsg<DeliveryProtocol.DeliverToConnections>();
        Assert.Equal(["c3"], toNode2.ConnectionIds);
        Assert.Equal(toNode1.Stamp, toNode2.Stamp);

        // Once: the next thing node 1 gets is the next message.
        entity.Tell(new UserProtocol.SendToUser("bob", Marker));
        Assert.Same(Marker, node1.ExpectMsg<DeliveryProtocol.DeliverToConnections>().Frame);
    }

    [Fact]
    public void A_lease_goes_with_a_message_from_the_node_holding_every_connection_and_comes_back_before_a_connection_elsewhere_counts()
    {
        var (_, entity) = Start("bob");
        var (node1, node2, relay) = (CreateTestProbe(), CreateTestProbe(), CreateTestProbe());
        entity.Tell(new UserProtocol.AddConnection("bob", "c1", node1));
        entity.Tell(new UserProtocol.SendToUser("bob", Frame, new RelayStamp(relay, 1, Resent: false)));
        Assert.Equal("bob", node1.ExpectMsg<DeliveryProtocol.DeliverToConnections>().LeaseFor);

        // A connection on another node waits for the lease: meanwhile messages reach c1 alone, and grant nothing.
        entity.Tell(new UserProtocol.AddConnection("bob", "c2", node2));
        node1.ExpectMsg<UserProtocol.RevokeLease>(revoke => revoke.UserId == "bob");
        entity.Tell(new UserProtocol.SendToUser("bob", Frame, new RelayStamp(relay, 2, Resent: false)));
        var meanwhile = node1.ExpectMsg<DeliveryProtocol.DeliverToConnections>();
        Assert.Equal(["c1"], meanwhile.ConnectionIds);
        Assert.Null(meanwhile.LeaseFor);
        node2.ExpectNoMsg(TimeSpan.FromMilliseconds(100));

        entity.Tell(new UserProtocol.LeaseRevoked("bob"), node1);
        entity.Tell(new UserProtocol.SendToUser("bob", Frame, new RelayStamp(relay, 3, Resent: false)));
        Assert.Null(node1.ExpectMsg<DeliveryProtocol.DeliverToConnections>().LeaseFor);
        Assert.Equal(["c2"], node2.ExpectMsg<DeliveryProtocol.DeliverToConnections>().ConnectionIds);
    }

    [Fact]
    public void A_connection_waiting_for_a_lease_counts_once_the_holders_node_is_gone()
    {
        var (_, entity) = Start("bob");
        var (node1, node2, relay) = (CreateTestProbe(), CreateTestProbe(), CreateTestProbe());
        entity.Tell(new UserProtocol.AddConnection("bob", "c1", node1));
        entity.Tell(new UserProtocol.SendToUser("bob", Frame, new RelayStamp(relay, 1, Resent: false)));
        node1.ExpectMsg<DeliveryProtocol.DeliverToConnections>();
        entity.Tell(new UserProtocol.AddConnection("bob", "c2", node2));
        node1.ExpectMsg<UserProtocol.RevokeLease>();

        Sys.Stop(node1.Ref);
        AwaitAssert(() =>
        {
            entity.Tell(new UserProtocol.SendToUser("bob", Marker));
            Assert.Equal(["c2"], node2.ExpectMsg<DeliveryProtocol.DeliverToConnections>(TimeSpan.FromMilliseconds(200)).ConnectionIds);
        });
    }

    [Fact]
    public void The_last_connection_leaving_passivates_the_entity()
    {
        var (shard, entity) = Start("carol");
        entity.Tell(new UserProtocol.AddConnection("carol", "c1", CreateTestProbe()));
        entity.Tell(new UserProtocol.RemoveConnection("carol", "c1"));
        shard.ExpectMsg<Passivate>();
        entity.Tell(new UserProtocol.GetConnections("carol"));
        Assert.Equal(0, ExpectMsg<UserProtocol.Connections>().Count);
    }

    [Fact]
    public void A_message_for_a_user_without_connections_is_counted_and_the_entity_passivates()
    {
        var (shard, entity) = Start("ghost");
        var relay = CreateTestProbe();
        entity.Tell(new UserProtocol.SendToUser("ghost", Frame, new RelayStamp(relay, 1, Resent: false)));
        Assert.Null(relay.ExpectMsg<RelayProtocol.Routed>().Refusal); // accepted for routing, like any direct message
        shard.ExpectMsg<Passivate>();
        Assert.Equal(1, _counters.Undeliverable);
    }

    [Fact]
    public void Users_of_one_bucket_keep_their_own_connections()
    {
        var (bob, eve) = TwoUsersOfOneBucket();
        var (shard, entity) = Start(bob);
        var (node1, node2) = (CreateTestProbe(), CreateTestProbe());
        entity.Tell(new UserProtocol.AddConnection(bob, "c1", node1));
        entity.Tell(new UserProtocol.AddConnection(eve, "c2", node2));

        entity.Tell(new UserProtocol.SendToUser(eve, Frame));
        Assert.Equal(["c2"], node2.ExpectMsg<DeliveryProtocol.DeliverToConnections>().ConnectionIds);
        entity.Tell(new UserProtocol.SendToUser(bob, Marker));
        Assert.Same(Marker, node1.ExpectMsg<DeliveryProtocol.DeliverToConnections>().Frame); // nothing of eve's before it

        entity.Tell(new UserProtocol.RemoveConnection(bob, "c1"));
        entity.Tell(new UserProtocol.GetConnections(bob));
        Assert.Equal(0, ExpectMsg<UserProtocol.Connections>().Count);
        // The entity answered after handling the removal: a passivation would already be with its shard. Eve is still connected.
        Assert.False(shard.HasMessages);
        entity.Tell(new UserProtocol.RemoveConnection(eve, "c2"));
        shard.ExpectMsg<Passivate>();
    }

    private static (string, string) TwoUsersOfOneBucket()
    {
        var first = "user-0";
        var second = Enumerable.Range(1, 100_000).Select(i => $"user-{i}").First(u => UserBuckets.Of(u) == UserBuckets.Of(first));
        return (first, second);
    }

    [Fact]
    public void Connections_on_a_node_that_stops_are_forgotten()
    {
        var (shard, entity) = Start("dave");
        var doomed = CreateTestProbe();
        entity.Tell(new UserProtocol.AddConnection("dave", "c1", doomed));
        entity.Tell(new UserProtocol.GetConnections("dave"));
        Assert.Equal(1, ExpectMsg<UserProtocol.Connections>().Count);

        Sys.Stop(doomed.Ref);
        shard.ExpectMsg<Passivate>();
    }
}

public sealed class GroupEntitySpecs : Akka.Hosting.TestKit.TestKit
{
    private readonly RoutingCounters _counters = new();
    private static readonly OutboundFrame Frame = OutboundFrame.Text("""{"type":"news"}"""u8);
    private static readonly OutboundFrame Marker = OutboundFrame.Text("""{"type":"marker"}"""u8);

    // A plain actor system: with no cluster to recover from, the entities start at once.
    protected override void ConfigureAkka(AkkaConfigurationBuilder builder, IServiceProvider provider)
    {
    }

    private (TestProbe Shard, IActorRef Entity) Start(string group)
    {
        var shard = CreateTestProbe();
        return (shard, shard.ChildActorOf(GroupEntity.PropsFor(group, _counters, new HistoryOptions(0, HistoryOptions.DefaultTtl), new HistoryBudget(HistoryBudget.DefaultMaxBytes))));
    }

    [Fact]
    public void A_relayed_join_is_confirmed_and_a_resent_copy_only_confirms()
    {
        var (_, entity) = Start("g");
        var (node, relay) = (CreateTestProbe(), CreateTestProbe());
        entity.Tell(new GroupProtocol.AddMember("g", "ann", "c1", node, new RelayStamp(relay, 1, Resent: false)));
        Assert.Equal(new RelayProtocol.Routed(1, null), relay.ExpectMsg<RelayProtocol.Routed>());

        // c2 joined and left before its resent copy arrived: the copy must not bring it back.
        entity.Tell(new GroupProtocol.AddMember("g", "ann", "c2", node, new RelayStamp(relay, 2, Resent: true)));
        Assert.Equal(new RelayProtocol.Routed(2, null), relay.ExpectMsg<RelayProtocol.Routed>());
        entity.Tell(new GroupProtocol.GetMembers("g"));
        Assert.Equal(1, ExpectMsg<GroupProtocol.Members>().Connections);
    }

    [Fact]
    public void A_group_message_costs_one_message_per_node_with_members()
    {
        var (_, entity) = Start("g");
        var (node1, node2, sender) = (CreateTestProbe(), CreateTestProbe(), CreateTestProbe());
        for (var i = 0; i < 5; i++)
            entity.Tell(new GroupProtocol.AddMember("g", $"u{i}", $"c{i}", i < 3 ? node1 : node2));

        var stamp = new RelayStamp(sender, 7, Resent: false);
        entity.Tell(new GroupProtocol.SendToGroup("g", Frame, stamp));

        var toNode1 = node1.ExpectMsg<DeliveryProtocol.DeliverToGroup>();
        Assert.Same(Frame, toNode1.Frame);
        Assert.Equal(stamp with { Route = toNode1.Stamp!.Route, Nodes = 2 }, toNode1.Stamp);
        Assert.Equal("g", node2.ExpectMsg<DeliveryProtocol.DeliverToGroup>().Group);

        // Once: the next thing node 1 gets is the next message.
        entity.Tell(new GroupProtocol.SendToGroup("g", Marker));
        Assert.Same(Marker, node1.ExpectMsg<DeliveryProtocol.DeliverToGroup>().Frame);
    }

    [Fact]
    public void Membership_lists_users_with_their_connection_counts()
    {
        var (_, entity) = Start("g");
        var node = CreateTestProbe();
        entity.Tell(new GroupProtocol.AddMember("g", "ben", "c1", node));
        entity.Tell(new GroupProtocol.AddMember("g", "ann", "c2", node));
        entity.Tell(new GroupProtocol.AddMember("g", "ann", "c3", node));
        entity.Tell(new GroupProtocol.AddMember("g", "ann", "c3", node)); // a repeated join changes nothing

        entity.Tell(new GroupProtocol.GetMembers("g"));
        var members = ExpectMsg<GroupProtocol.Members>();
        Assert.Equal(3, members.Connections);
        Assert.Equal([new GroupProtocol.Member("ann", 2), new GroupProtocol.Member("ben", 1)], members.Users);
    }

    [Fact]
    public void A_message_to_an_empty_group_is_refused_to_its_sender()
    {
        var (shard, entity) = Start("empty");
        var sender = CreateTestProbe();
        entity.Tell(new GroupProtocol.SendToGroup("empty", Frame, new RelayStamp(sender, 1, Resent: false)));
        var refused = sender.ExpectMsg<RelayProtocol.Routed>();
        Assert.Equal("unknown_group", refused.Refusal?.Code);
        Assert.Equal(1, _counters.Undeliverable);
        shard.ExpectMsg<Passivate>();
    }

    [Fact]
    public void The_last_member_leaving_passivates_the_entity_and_delivery_stops()
    {
        var (shard, entity) = Start("g");
        var node = CreateTestProbe();
        entity.Tell(new GroupProtocol.AddMember("g", "ann", "c1", node));
        entity.Tell(new GroupProtocol.RemoveMember("g", "c1"));
        shard.ExpectMsg<Passivate>();
        var sender = CreateTestProbe();
        entity.Tell(new GroupProtocol.SendToGroup("g", Frame, new RelayStamp(sender, 1, Resent: false)));
        Assert.Equal("unknown_group", sender.ExpectMsg<RelayProtocol.Routed>().Refusal?.Code);
        // Refused after any delivery it would have made: none reached the node.
        Assert.False(node.HasMessages);
    }
}

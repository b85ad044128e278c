using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Hosting;
using Akka.TestKit;
using Switchboard.Actors.Delivery;
using Switchboard.Actors.Hub;
using Switchboard.Actors.Routing;
using Switchboard.Streams.Outbound;
using static Switchboard.Actors.Admin.AdminProtocol;
using static Switchboard.Actors.Delivery.DeliveryProtocol;

namespace Switchboard.Actors.Tests;

/// <summary>
/// The node's front actor with probes standing for its partitions: which partitions a broadcast or a starting entity's
/// question goes to, and how the partitions' admin answers become the node's one answer.
/// </summary>
public sealed class NodeConnectionsSpecs : Akka.Hosting.TestKit.TestKit
{
    private readonly RoutingCounters _counters = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly OutboundFrame _news = OutboundFrame.Text("""{"type":"news"}"""u8);

    // NodeConnections subscribes to distributed pub-sub and names its node in admin answers: both need the cluster provider.
    protected override void ConfigureAkka(AkkaConfigurationBuilder builder, IServiceProvider provider) => builder.AsClusterNode();

    /// <param name="connections">Each partition's connections, as it last told its queue.</param>
    private (IActorRef Node, TestProbe[] Partitions, BroadcastQueue[] Queues) Start(int capacity, params int[] connections)
    {
        var probes = connections.Select(_ => CreateTestProbe()).ToArray();
        var queues = connections.Select(n => new BroadcastQueue(capacity) { Connections = n }).ToArray();
        var node = Sys.ActorOf(NodeConnections.PropsFor(probes.Select(p => p.Ref).ToArray(), queues, _counters, () => _ready.TrySetResult()));
        return (node, probes, queues);
    }

    private string NodeName => Hub.NodeName.Of(Sys);

    /// <summary>A question that goes to every partition: what the test expected none of must not come before it.</summary>
    private void AssertNextIsMarker(IActorRef node, params TestProbe[] partitions)
    {
        node.Tell(new RegistryProtocol.FindGroup("marker", TestActor));
        foreach (var partition in partitions)
            Assert.Equal("marker", partition.ExpectMsg<RegistryProtocol.FindGroup>().Group);
    }

    private static ConnectionEntry Entry(string id) => new(id, "u", null, 0, [], 0, 0, 0);

    [Fact]
    public void A_broadcast_goes_once_to_each_partition_with_connections_and_skips_the_empty_ones()
    {
        var (node, partitions, _) = Start(4, 2, 0, 3);
        node.Tell(new Broadcast(_news));

        Assert.Same(_news, partitions[0].ExpectMsg<Broadcast>().Frame);
        Assert.Same(_news, partitions[2].ExpectMsg<Broadcast>().Frame);
        AssertNextIsMarker(node, partitions);
        Assert.Equal(0, _counters.BroadcastsDropped);
    }

    [Fact]
    public void A_partition_whose_queue_is_full_misses_the_broadcast_and_each_of_its_connections_counts_as_dropped()
    {
        var (node, partitions, queues) = Start(1, 2, 5, 3);
        Assert.True(queues[1].TryEnter()); // partition 1 is still on a broadcast

        node.Tell(new Broadcast(_news));
        partitions[0].ExpectMsg<Broadcast>();
        partitions[2].ExpectMsg<Broadcast>();
        AssertNextIsMarker(node, partitions);
        Assert.Equal(5, _counters.BroadcastsDropped);

        // Partition 1 is done; 0 and 2 (probes) never say so, so with a capacity of one they miss the next in their turn.
        queues[1].Done();
        node.Tell(new Broadcast(_news));
        partitions[1].ExpectMsg<Broadcast>();
        AssertNextIsMarker(node, partitions);
        Assert.Equal(5 + 2 + 3, _counters.BroadcastsDropped);
    }

    [Fact]
    public async Task A_broadcast_published_on_the_topic_reaches_the_partitions_once_the_node_is_ready()
    {
        var (_, partitions, _) = Start(4, 1);
        await _ready.Task.WaitAsync(TimeSpan.FromSeconds(15));
        DistributedPubSub.Get(Sys).Mediator.Tell(new Publish(NodeConnections.BroadcastTopic, new Broadcast(_news)));
        Assert.Same(_news, partitions[0].ExpectMsg<Broadcast>().Frame);
    }

    [Fact]
    public void A_user_buckets_question_goes_only_to_the_partition_that_holds_the_buckets_users()
    {
        var (node, partitions, _) = Start(4, 1, 1, 1);
        var placement = new NodePartitions(partitions.Length);
        placement.Started(partitions.Select(p => p.Ref).ToArray());

        foreach (var user in new[] { "ann", "ben", "cat", "dan", "eve" })
        {
            var bucket = UserBuckets.Of(user);
            node.Tell(new RegistryProtocol.FindUsers(bucket, TestActor));
            var holder = partitions[NodePartitions.IndexOf(bucket, partitions.Length)];
            // The partition the hub gives the user's connections to.
            Assert.Equal(placement.Of(user), holder.Ref);
            Assert.Equal(bucket, holder.ExpectMsg<RegistryProtocol.FindUsers>().Bucket);
            Assert.Equal(TestActor, holder.LastSender); // forwarded: the partition answers the entity itself
            AssertNextIsMarker(node, partitions);
        }
    }

    [Fact]
    public void A_groups_question_goes_to_every_partition()
    {
        var (node, partitions, _) = Start(4, 1, 0, 1);
        node.Tell(new RegistryProtocol.FindGroup("g", TestActor));
        foreach (var partition in partitions)
        {
            Assert.Equal("g", partition.ExpectMsg<RegistryProtocol.FindGroup>().Group);
            Assert.Equal(TestActor, partition.LastSender);
        }
    }

    [Fact]
    public void The_partitions_connection_lists_are_merged_in_id_order_up_to_the_limit()
    {
        var (node, partitions, _) = Start(4, 1, 1, 1);
        var list = Gathered(node, new ListConnections(null, null, 3),
            new ConnectionList("p", [Entry("c3"), Entry("c7")], false),
            new ConnectionList("p", [Entry("c1"), Entry("c5")], false),
            new ConnectionList("p", [Entry("c2")], false));
        Assert.Equal(("c1 c2 c3", true, NodeName), (Ids(list), list.More, list.Node));

        // Within the limit, yet one partition has more past its page: so has the node.
        var within = Gathered(node, new ListConnections(null, "c0", 4),
            new ConnectionList("p", [Entry("c3")], true), new ConnectionList("p", [], false), new ConnectionList("p", [Entry("c1")], false));
        Assert.Equal(("c1 c3", true), (Ids(within), within.More));

        var all = Gathered(node, new ListConnections("ann", null, 4),
            new ConnectionList("p", [Entry("c3")], false), new ConnectionList("p", [], false), new ConnectionList("p", [Entry("c1")], false));
        Assert.Equal(("c1 c3", false), (Ids(all), all.More));

        ConnectionList Gathered(IActorRef node, ListConnections question, params ConnectionList[] answers)
        {
            node.Tell(question);
            for (var i = 0; i < partitions.Length; i++)
            {
                Assert.Same(question, partitions[i].ExpectMsg<ListConnections>());
                partitions[i].Reply(answers[i]);
            }
            return ExpectMsg<ConnectionList>();
        }
    }

    [Fact]
    public void The_partitions_group_names_are_merged_once_each_in_order_up_to_the_limit()
    {
        var (node, partitions, _) = Start(4, 1, 1);
        node.Tell(new ListGroups(null, 2));
        partitions[0].ExpectMsg<ListGroups>();
        partitions[0].Reply(new GroupList("p", ["a", "c"], false));
        partitions[1].ExpectMsg<ListGroups>();
        partitions[1].Reply(new GroupList("p", ["a", "b"], false));

        var groups = ExpectMsg<GroupList>();
        Assert.Equal(["a", "b"], groups.Groups);
        Assert.Equal((true, NodeName), (groups.More, groups.Node)); // c
    }

    [Fact]
    public void The_largest_groups_add_up_each_groups_members_over_the_partitions()
    {
        var (node, partitions, _) = Start(4, 1, 1, 1);
        node.Tell(new ListLargestGroups(2));
        (string, int)[][] sizes = [[("a", 1), ("b", 3)], [("a", 3)], [("c", 2), ("b", 0)]];
        for (var i = 0; i < partitions.Length; i++)
        {
            partitions[i].ExpectMsg<ListLargestGroups>(); // each partition answers with all its groups' sizes
            partitions[i].Reply(new GroupSizes(sizes[i]));
        }
        // a: 4, b: 3, c: 2.
        Assert.Equal(["a", "b"], ExpectMsg<LargestGroups>().Groups);
    }

    [Fact]
    public void A_kick_is_put_to_every_partition_and_answered_with_the_sum_of_their_closes()
    {
        var (node, partitions, _) = Start(4, 1, 1, 1);
        var kick = new Kick("ann", null, "spam", "ops");
        node.Tell(kick);
        var closed = new[] { 1, 0, 2 };
        for (var i = 0; i < partitions.Length; i++)
        {
            Assert.Same(kick, partitions[i].ExpectMsg<Kick>());
            partitions[i].Reply(new Kicked("p", closed[i]));
        }
        Assert.Equal(new Kicked(NodeName, 3), ExpectMsg<Kicked>());
    }

    [Fact]
    public void The_connections_here_are_every_partitions_put_together()
    {
        var (node, partitions, _) = Start(4, 1, 0, 1);
        LocalConnection Local(string id) => new(TestConnection.Detached(id), "ann", partitions[0]);
        LocalConnection[][] here = [[Local("c1"), Local("c2")], [], [Local("c3")]];

        node.Tell(ListHere.Instance);
        for (var i = 0; i < partitions.Length; i++)
        {
            partitions[i].ExpectMsg<ListHere>();
            partitions[i].Reply(here[i]);
        }
        Assert.Equal(here.SelectMany(h => h), ExpectMsg<LocalConnection[]>());
    }

    private static string Ids(ConnectionList list) => string.Join(' ', list.Connections.Select(c => c.ConnectionId));
}

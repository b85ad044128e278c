using Akka.Actor;
using Akka.Cluster;
using Akka.Hosting;
using Akka.TestKit;
using Switchboard.Actors.History;
using Switchboard.Actors.Routing;

namespace Switchboard.Actors.Tests;

/// <summary>
/// A group entity starting in a cluster of one: it asks the node's <c>/user/delivery</c> (a probe behind a forwarder here)
/// and holds everything else until each of the node's partitions has answered.
/// </summary>
public sealed class GroupEntityRecoverySpecs : Akka.Hosting.TestKit.TestKit
{
    private readonly RoutingCounters _counters = new();

    protected override void ConfigureAkka(AkkaConfigurationBuilder builder, IServiceProvider provider) => builder.AsClusterNode();

    // Recovery asks the Up members only: without one it would not wait for anybody.
    private TestProbe UpWithDelivery()
    {
        var cluster = Cluster.Get(Sys);
        cluster.Join(cluster.SelfAddress);
        // Recovery reads the cluster's state as its read view has it, which can show the member Up only after the member-up
        // callbacks have run: an entity started on the callback could still see nobody to ask.
        AwaitCondition(() => cluster.State.Members.Any(m => m.Address == cluster.SelfAddress && m.Status == MemberStatus.Up),
            TimeSpan.FromSeconds(30));

        var delivery = CreateTestProbe();
        Sys.ActorOf(Props.Create(() => new Forwarder(delivery.Ref)), RegistryProtocol.DeliveryActorName);
        return delivery;
    }

    [Fact]
    public void A_starting_group_entity_waits_for_every_one_of_the_nodes_partition_answers_before_a_stashed_message()
    {
        var delivery = UpWithDelivery();
        var shard = CreateTestProbe();
        var (partition1, partition2) = (CreateTestProbe(), CreateTestProbe());

        var entity = shard.ChildActorOf(GroupEntity.PropsFor("g", _counters, new HistoryOptions(0, HistoryOptions.DefaultTtl),
            new HistoryBudget(HistoryBudget.DefaultMaxBytes)));
        // All at once, so that the entity's recovery timeout cannot come between them. Had the node's first answer ended
        // the recovery, the listing would be answered before the second partition's member was known.
        entity.Tell(new RegistryProtocol.GroupFound("g", ["ann", "c1"], partition1, Answers: 2));
        entity.Tell(new GroupProtocol.GetMembers("g"));
        entity.Tell(new RegistryProtocol.GroupFound("g", ["ben", "c2"], partition2, Answers: 2));

        var members = ExpectMsg<GroupProtocol.Members>();
        Assert.Equal(2, members.Connections);
        Assert.Equal([new GroupProtocol.Member("ann", 1), new GroupProtocol.Member("ben", 1)], members.Users);
        var find = delivery.ExpectMsg<RegistryProtocol.FindGroup>();
        Assert.Equal(("g", entity), (find.Group, find.ReplyTo));
    }

    [Fact]
    public void The_partitions_answers_come_in_any_order_and_a_stashed_message_waits_for_the_last()
    {
        UpWithDelivery();
        var shard = CreateTestProbe();
        var partitions = new[] { CreateTestProbe(), CreateTestProbe(), CreateTestProbe() };

        var entity = shard.ChildActorOf(GroupEntity.PropsFor("g", _counters, new HistoryOptions(0, HistoryOptions.DefaultTtl),
            new HistoryBudget(HistoryBudget.DefaultMaxBytes)));
        // A partition without members answers too, and counts.
        entity.Tell(new RegistryProtocol.GroupFound("g", [], partitions[2], Answers: 3));
        entity.Tell(new GroupProtocol.GetMembers("g"));
        entity.Tell(new RegistryProtocol.GroupFound("g", ["ann", "c1"], partitions[0], Answers: 3));
        entity.Tell(new GroupProtocol.GetMembers("g"));
        entity.Tell(new RegistryProtocol.GroupFound("g", ["ben", "c2"], partitions[1], Answers: 3));

        Assert.Equal(2, ExpectMsg<GroupProtocol.Members>().Connections);
        Assert.Equal(2, ExpectMsg<GroupProtocol.Members>().Connections);
    }

    /// <summary>Stands at <c>/user/delivery</c> for the node's front actor, handing what it gets to a probe.</summary>
    private sealed class Forwarder : ReceiveActor
    {
        public Forwarder(IActorRef probe) => ReceiveAny(message => probe.Forward(message));
    }
}

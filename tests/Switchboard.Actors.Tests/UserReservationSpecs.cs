using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using Akka.TestKit;
using Switchboard.Actors.History;
using Switchboard.Actors.Routing;
using Switchboard.Actors.Routing.State;
using static Switchboard.Actors.Routing.UserProtocol;

namespace Switchboard.Actors.Tests;

/// <summary>
/// The user bucket entity answering the cluster-wide bound per user (<see cref="ReserveConnection"/>): the child of a
/// probe standing in for its shard, with probes for the nodes' partitions.
/// </summary>
public sealed class UserReservationSpecs : Akka.Hosting.TestKit.TestKit
{
    // A plain actor system: with no cluster to recover from, the entity starts at once.
    protected override void ConfigureAkka(AkkaConfigurationBuilder builder, IServiceProvider provider)
    {
    }

    private (TestProbe Shard, IActorRef Entity) Start(string user)
    {
        var shard = CreateTestProbe();
        return (shard, shard.ChildActorOf(UserBucketEntity.PropsFor(UserBuckets.Of(user), new RoutingCounters(),
            new HistoryOptions(0, HistoryOptions.DefaultTtl), new HistoryBudget(HistoryBudget.DefaultMaxBytes))));
    }

    private bool Reserve(IActorRef entity, string user, string connectionId, int limit)
    {
        entity.Tell(new ReserveConnection(user, connectionId, limit));
        var answer = ExpectMsg<Reservation>();
        Assert.Equal(connectionId, answer.ConnectionId);
        return answer.Granted;
    }

    [Fact]
    public void Places_are_granted_under_the_bound_counting_connections_on_every_node_and_refused_past_it()
    {
        var (user, other) = (TestUsers.OfOneBucket(2)[0], TestUsers.OfOneBucket(2)[1]);
        var (_, entity) = Start(user);
        var (node1, node2) = (CreateTestProbe(), CreateTestProbe());
        entity.Tell(new AddConnection(user, "c1", node1));

        Assert.True(Reserve(entity, user, "c2", limit: 2));
        entity.Tell(new AddConnection(user, "c2", node2));
        Assert.False(Reserve(entity, user, "c3", limit: 2));
        Assert.True(Reserve(entity, other, "c4", limit: 2)); // the same bucket, another user

        entity.Tell(new RemoveConnection(user, "c1"));
        Assert.True(Reserve(entity, user, "c3", limit: 2));
    }

    [Fact]
    public void A_place_that_became_its_connection_does_not_keep_the_entity_once_the_connection_closes()
    {
        var (shard, entity) = Start("carol");
        Assert.True(Reserve(entity, "carol", "c1", limit: 1));
        entity.Tell(new AddConnection("carol", "c1", CreateTestProbe()));
        entity.Tell(new RemoveConnection("carol", "c1"));
        shard.ExpectMsg<Passivate>();
    }

    [Fact]
    public void A_place_whose_connection_never_opens_lapses_then_the_user_may_connect_and_the_entity_passivates()
    {
        var (shard, entity) = Start("dora");
        Assert.True(Reserve(entity, "dora", "c1", limit: 1));
        Assert.False(Reserve(entity, "dora", "c2", limit: 1));

        // Held, the place keeps the entity: a passivation would forget it and let a second upgrade through.
        shard.ExpectNoMsg(ConnectionReservations.Lifetime - TimeSpan.FromSeconds(1));
        shard.ExpectMsg<Passivate>(TimeSpan.FromSeconds(3));
        Assert.True(Reserve(entity, "dora", "c2", limit: 1));
    }
}

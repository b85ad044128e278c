using Akka.Actor;
using Akka.Hosting;
using Switchboard.Actors.Delivery;
using Switchboard.Actors.Delivery.State;
using Switchboard.Actors.Heartbeat;
using Switchboard.Actors.Hub;
using Switchboard.Actors.History;
using Switchboard.Actors.Routing;
using Switchboard.Streams;
using Switchboard.Streams.Framing;
using static Switchboard.Actors.Delivery.DeliveryProtocol;

namespace Switchboard.Actors.Tests;

/// <summary>A connection partition with history on: the welcome waits for every stream the connection follows.</summary>
public sealed class ConnectionPartitionHistorySpecs : ConnectionPartitionKit
{
    // The welcome names the node, which takes the cluster provider.
    protected override void ConfigureAkka(AkkaConfigurationBuilder builder, IServiceProvider provider) => builder.AsClusterNode();

    [Fact]
    public async Task A_group_stream_that_has_not_answered_an_opening_connection_is_asked_again_and_the_first_answer_counts()
    {
        var (partition, _) = Start(Plain with { HistoryOn = true });
        var socket = TestConnection.Open(Hosts, "c1", ConnectionCounters);
        partition.Tell(new ConnectionOpened(new LocalConnection(socket.Connection, "ann", partition), ["room"]));
        Assert.True(Groups.ExpectMsg<GroupProtocol.AddMember>().OpensStream);
        Assert.True(Users.ExpectMsg<UserProtocol.AddConnection>().OpensStream);
        partition.Tell(new UserProtocol.UserStreamOpened("c1", new StreamPosition("u1", 0), [], null));

        // The group's entity took the join and stopped before it answered (its shard handed over): the partition asks again.
        var again = Groups.ExpectMsg<GroupProtocol.AddMember>(TimeSpan.FromSeconds(10));
        Assert.Equal(("room", "c1", partition, true), (again.Group, again.ConnectionId, again.Node, again.OpensStream));
        partition.Tell(new GroupProtocol.GroupStreamOpened("room", "c1", new StreamPosition("g1", 0), [], null));
        Assert.Contains("\"welcome\"", await socket.ReceiveTextAsync());

        // The answer to the first ask, late, adds nothing: the next frame is the marker.
        partition.Tell(new GroupProtocol.GroupStreamOpened("room", "c1", new StreamPosition("g1", 0), [], null));
        await AssertNextIsMarker(partition, socket);
    }
}

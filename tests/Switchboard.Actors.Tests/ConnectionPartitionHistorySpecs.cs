using Akka.Actor;
using Akka.Hosting;
using Akka.TestKit;
using Switchboard.Actors.Delivery;
using Switchboard.Actors.Delivery.State;
using Switchboard.Actors.Heartbeat;
using Switchboard.Actors.Hub;
using Switchboard.Actors.History;
using Switchboard.Actors.Routing;
using Switchboard.Streams;
using Switchboard.Streams.Framing;
using Switchboard.Streams.Json;
using Switchboard.Streams.Outbound;
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

    // The rolling restart's duplicate: the first copy of a user's message reached the user's connection on another node,
    // whose confirmation the sender's relay did not get in time; the user resumed here past that message; the relay's
    // resent copy went to the user's connections as they are now, this one. This partition never saw its stamp.
    [Fact]
    public async Task A_resent_copy_of_a_message_the_resumed_connection_already_has_is_not_delivered_again()
    {
        var (partition, _) = Start(Plain with { HistoryOn = true });
        var socket = Open(partition, "c1", "ann", resume: new StreamPosition("e1", 439), groups: ["room"],
            resumeGroups: new Dictionary<string, StreamPosition> { ["room"] = new("g1", 20) });
        partition.Tell(new UserProtocol.UserStreamOpened("c1", new StreamPosition("e1", 439), [], true));
        partition.Tell(new GroupProtocol.GroupStreamOpened("room", "c1", new StreamPosition("g1", 20), [], true));
        Assert.Contains("\"welcome\"", await socket.ReceiveTextAsync());
        Assert.Contains("\"resumed\"", await socket.ReceiveTextAsync());
        Assert.Contains("\"resumed\"", await socket.ReceiveTextAsync());

        var otherRelay = CreateTestProbe();
        partition.Tell(new DeliverToConnections(["c1"], Numbered(439), Resent(otherRelay, 1, 439)));
        partition.Tell(new DeliverToGroup("room", Numbered(20), Resent(otherRelay, 2, 20)));
        // Past the positions, a resent copy goes: its first copy never reached this connection.
        partition.Tell(new DeliverToConnections(["c1"], Numbered(440), Resent(otherRelay, 3, 440)));
        partition.Tell(new DeliverToGroup("room", Numbered(21), Resent(otherRelay, 4, 21)));
        Assert.Equal(440, (await socket.ReceiveJsonAsync()).GetProperty("seq").GetInt64());
        Assert.Equal(21, (await socket.ReceiveJsonAsync()).GetProperty("seq").GetInt64());
        await AssertNextIsMarker(partition, socket);
    }

    [Fact]
    public async Task After_a_stream_reset_a_resent_copy_is_weighed_in_the_new_epoch()
    {
        var (partition, _) = Start(Plain with { HistoryOn = true });
        var socket = Open(partition, "c1", "ann", resume: new StreamPosition("e1", 439));
        partition.Tell(new UserProtocol.UserStreamOpened("c1", new StreamPosition("e1", 439), [], true));
        Assert.Contains("\"welcome\"", await socket.ReceiveTextAsync());
        Assert.Contains("\"resumed\"", await socket.ReceiveTextAsync());

        // The stream started again: its numbers do too, and seq 3 of the new epoch is no repeat of the old epoch's 3.
        partition.Tell(new DeliverToConnections(["c1"], ServerFrames.StreamReset(null, "e2", 0)));
        Assert.Contains("\"stream_reset\"", await socket.ReceiveTextAsync());
        partition.Tell(new DeliverToConnections(["c1"], Numbered(3), Resent(CreateTestProbe(), 1, 3)));
        Assert.Equal(3, (await socket.ReceiveJsonAsync()).GetProperty("seq").GetInt64());
    }

    private TestConnection Open(IActorRef partition, string id, string user, StreamPosition resume, IReadOnlyList<string>? groups = null,
        IReadOnlyDictionary<string, StreamPosition>? resumeGroups = null)
    {
        var socket = TestConnection.Open(Hosts, id, ConnectionCounters);
        partition.Tell(new ConnectionOpened(new LocalConnection(socket.Connection, user, partition), groups ?? [], resume, resumeGroups));
        foreach (var _ in groups ?? [])
            Assert.True(Groups.ExpectMsg<GroupProtocol.AddMember>().OpensStream);
        Assert.Equal(resume, Users.ExpectMsg<UserProtocol.AddConnection>().Resume);
        return socket;
    }

    private static OutboundFrame Numbered(long seq) => OutboundFrame.Text("""{"type":"chat","data":1}"""u8).WithSeq(seq);

    private static RelayStamp Resent(TestProbe relay, long relaySeq, long streamSeq) =>
        new(relay, relaySeq, Resent: true, Route: 1, Nodes: 1, StreamSeq: streamSeq);
}

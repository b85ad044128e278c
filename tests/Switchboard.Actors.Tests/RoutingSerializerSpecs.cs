using Akka.Hosting;
using Akka.Serialization;
using Switchboard.Actors.Serialization;
using Switchboard.Streams.Json;
using Switchboard.Streams.Outbound;
using static Switchboard.Actors.Admin.AdminProtocol;
using static Switchboard.Actors.Delivery.DeliveryProtocol;
using static Switchboard.Actors.Routing.GroupProtocol;
using static Switchboard.Actors.Routing.UserProtocol;

namespace Switchboard.Actors.Tests;

/// <summary>Every message that crosses nodes survives the trip through the actor system's serialization.</summary>
public sealed class RoutingSerializerSpecs : Akka.Hosting.TestKit.TestKit
{
    private static readonly OutboundFrame Frame = ServerFrames.Routed(new RoutedFields("chat", "{\"a\":[1,2]}"u8.ToArray(), "alice", 99, To: "bob"));
    private static readonly OutboundFrame LargeFrame = OutboundFrame.Text(new byte[70_000]);

    protected override void ConfigureAkka(AkkaConfigurationBuilder builder, IServiceProvider provider) =>
        builder.AddRoutingSerializer();

    private T RoundTrip<T>(T message) where T : IRoutingMessage
    {
        var serializer = Sys.Serialization.FindSerializerFor(message);
        Assert.IsType<RoutingSerializer>(serializer);
        var bytes = serializer.ToBinary(message);
        var manifest = ((SerializerWithStringManifest)serializer).Manifest(message);
        return Assert.IsType<T>(Sys.Serialization.Deserialize(bytes, serializer.Identifier, manifest));
    }

    private Routing.RelayStamp Stamp => new(TestActor, 1234567890123, Resent: false);

    private static void AssertSameFrame(OutboundFrame expected, OutboundFrame actual)
    {
        Assert.Equal(expected.Bytes, actual.Bytes);
        Assert.Equal(expected.Opcode, actual.Opcode);
        Assert.Equal(expected.Payload.ToArray(), actual.Payload.ToArray());
    }

    [Fact]
    public void User_messages_round_trip()
    {
        var add = RoundTrip(new AddConnection("u", "c1", TestActor));
        Assert.Equal(("u", "c1", TestActor), (add.UserId, add.ConnectionId, add.Node));
        Assert.Equal(new RemoveConnection("u", "c1"), RoundTrip(new RemoveConnection("u", "c1")));
        Assert.Equal(new GetConnections("u"), RoundTrip(new GetConnections("u")));
        Assert.Equal(new Connections("u", 3, 2), RoundTrip(new Connections("u", 3, 2)));
        var send = RoundTrip(new SendToUser("u", Frame, Stamp));
        AssertSameFrame(Frame, send.Frame);
        Assert.Equal(Stamp, send.Stamp);
        Assert.Null(RoundTrip(new SendToUser("u", Frame)).Stamp);
    }

    [Fact]
    public void A_frame_keeps_its_accept_time_across_nodes_and_a_message_without_one_reads_as_unstamped()
    {
        var stamped = ServerFrames.Routed(new RoutedFields("chat", "1"u8.ToArray(), "alice", 99, To: "bob"));
        stamped.AcceptedAt = 638_999_999_999_999_999;
        Assert.Equal(stamped.AcceptedAt, RoundTrip(new SendToUser("u", stamped, Stamp)).Frame.AcceptedAt);
        Assert.Equal(stamped.AcceptedAt, RoundTrip(new SendToGroup("g", stamped)).Frame.AcceptedAt);
        Assert.Equal(stamped.AcceptedAt, RoundTrip(new DeliverToConnections(["c1"], stamped)).Frame.AcceptedAt);
        Assert.Equal(stamped.AcceptedAt, RoundTrip(new DeliverToGroup("g", stamped, Stamp)).Frame.AcceptedAt);
        Assert.Equal(stamped.AcceptedAt, RoundTrip(new Broadcast(stamped)).Frame.AcceptedAt);

        // As a node of the build before sends it: the same fields without the accept time at the end.
        var serializer = (SerializerWithStringManifest)Sys.Serialization.FindSerializerFor(new Broadcast(Frame));
        var bytes = serializer.ToBinary(new Broadcast(stamped));
        var earlier = Assert.IsType<Broadcast>(serializer.FromBinary(bytes[..^sizeof(long)], "DB"));
        AssertSameFrame(stamped, earlier.Frame);
        Assert.Equal(0, earlier.Frame.AcceptedAt);
    }

    [Fact]
    public void Group_messages_round_trip()
    {
        Assert.Equal(new AddMember("g", "u", "c1", TestActor, Stamp), RoundTrip(new AddMember("g", "u", "c1", TestActor, Stamp)));
        Assert.Equal(new RemoveMember("g", "c1"), RoundTrip(new RemoveMember("g", "c1")));
        Assert.Equal(new GetMembers("g"), RoundTrip(new GetMembers("g")));

        var full = RoundTrip(new SendToGroup("g", LargeFrame, Stamp));
        AssertSameFrame(LargeFrame, full.Frame);
        Assert.Equal(Stamp, full.Stamp);
        Assert.Null(RoundTrip(new SendToGroup("g", Frame)).Stamp);

        var members = RoundTrip(new Members("g", [new Member("a", 2), new Member("b", 1)], 3));
        Assert.Equal(("g", 3), (members.Group, members.Connections));
        Assert.Equal([new Member("a", 2), new Member("b", 1)], members.Users);
    }

    [Fact]
    public void Delivery_messages_round_trip()
    {
        var deliver = RoundTrip(new DeliverToConnections(["c1", "c2"], Frame, Stamp));
        Assert.Equal(["c1", "c2"], deliver.ConnectionIds);
        AssertSameFrame(Frame, deliver.Frame);
        Assert.Equal(Stamp, deliver.Stamp);
        var routed = Stamp.RoutedTo(3) with { Resent = true };
        var group = RoundTrip(new DeliverToGroup("g", Frame, routed));
        Assert.Equal(("g", routed), (group.Group, group.Stamp));
        Assert.Null(RoundTrip(new DeliverToGroup("g", Frame)).Stamp);
        AssertSameFrame(LargeFrame, RoundTrip(new Broadcast(LargeFrame)).Frame);
        Assert.Equal("c1", RoundTrip(new Accepted("c1", "1"u8.ToArray())).ConnectionId);
        var rejected = RoundTrip(new Rejected("c1", default, new FrameError("unknown_group", "none")));
        Assert.Equal(new FrameError("unknown_group", "none"), rejected.Error);
        Assert.True(rejected.Id.IsEmpty);
    }

    [Fact]
    public void Relay_confirmations_round_trip()
    {
        Assert.Equal(new Routing.RelayProtocol.Routed(42, null), RoundTrip(new Routing.RelayProtocol.Routed(42, null)));
        var refused = new Routing.RelayProtocol.Routed(43, new FrameError("unknown_group", "none"));
        Assert.Equal(refused, RoundTrip(refused));
        Assert.Equal(new Routing.RelayProtocol.Delivered(44, 987654321987, 3), RoundTrip(new Routing.RelayProtocol.Delivered(44, 987654321987, 3)));
    }

    [Fact]
    public void Node_stats_round_trip()
    {
        var snapshot = new Stats.NodeStatsSnapshot("n1:1", 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18,
            new SortedDictionary<string, long> { ["invalid_json"] = 19, ["close_1002"] = 20 }, 21, CpuTimeMs: 22, MemoryBytes: 23);
        var back = RoundTrip(snapshot);
        Assert.Equal(snapshot with { Errors = back.Errors }, back);
        Assert.Equal(snapshot.Errors, back.Errors);
        Assert.Same(Stats.GetNodeStats.Instance, RoundTrip(Stats.GetNodeStats.Instance));
    }

    [Fact]
    public void Registry_messages_round_trip()
    {
        Assert.Equal(new Routing.RegistryProtocol.FindUsers(17, TestActor), RoundTrip(new Routing.RegistryProtocol.FindUsers(17, TestActor)));
        Assert.Equal(new Routing.RegistryProtocol.FindGroup("g", TestActor), RoundTrip(new Routing.RegistryProtocol.FindGroup("g", TestActor)));
        var users = RoundTrip(new Routing.RegistryProtocol.UsersFound(17, ["u1", "c1", "u2", "c2"], TestActor));
        Assert.Equal((17, TestActor), (users.Bucket, users.Node));
        Assert.Equal(["u1", "c1", "u2", "c2"], users.Members);
        var group = RoundTrip(new Routing.RegistryProtocol.GroupFound("g", ["u1", "c1"], TestActor));
        Assert.Equal(["u1", "c1"], group.Members);
    }

    [Fact]
    public void Admin_queries_and_their_answers_round_trip()
    {
        Assert.Equal(new ListConnections("alice", "c-9", 100), RoundTrip(new ListConnections("alice", "c-9", 100)));
        Assert.Equal(new ListConnections(null, null, 1), RoundTrip(new ListConnections(null, null, 1)));
        var list = new ConnectionList("n1:1", [
            new ConnectionEntry("c-1", "alice", "127.0.0.1", 1234567890123, ["g1", "g2"], 5, 6, 7),
            new ConnectionEntry("c-2", "bob", null, 1, [], 0, long.MaxValue, 0),
        ], More: true);
        var back = RoundTrip(list);
        Assert.Equal((list.Node, list.More), (back.Node, back.More));
        Assert.Equal(list.Connections.Length, back.Connections.Length);
        for (var i = 0; i < list.Connections.Length; i++)
        {
            Assert.Equal(list.Connections[i] with { Groups = back.Connections[i].Groups }, back.Connections[i]);
            Assert.Equal(list.Connections[i].Groups, back.Connections[i].Groups);
        }

        Assert.Equal(new ListGroups("g", 10), RoundTrip(new ListGroups("g", 10)));
        Assert.Equal(new ListGroups(null, 10), RoundTrip(new ListGroups(null, 10)));
        var groups = RoundTrip(new GroupList("n1:1", ["a", "b"], More: false));
        Assert.Equal(("n1:1", false), (groups.Node, groups.More));
        Assert.Equal(["a", "b"], groups.Groups);

        Assert.Equal(new ListLargestGroups(10), RoundTrip(new ListLargestGroups(10)));
        var largest = RoundTrip(new LargestGroups("n1:1", ["big", "small"]));
        Assert.Equal("n1:1", largest.Node);
        Assert.Equal(["big", "small"], largest.Groups);
    }

    [Fact]
    public void Admin_actions_round_trip()
    {
        Assert.Equal(new Kick("alice", null, "kicked", "ops"), RoundTrip(new Kick("alice", null, "kicked", "ops")));
        Assert.Equal(new Kick(null, "c-1", "kicked: spam", "loopback"), RoundTrip(new Kick(null, "c-1", "kicked: spam", "loopback")));
        Assert.Equal(new Kicked("n1:1", 3), RoundTrip(new Kicked("n1:1", 3)));
        Assert.Equal(new DrainNode("ops"), RoundTrip(new DrainNode("ops")));
        Assert.Equal(new DrainStarted("n1:1", true), RoundTrip(new DrainStarted("n1:1", true)));
        var update = new RateLimitUpdate("""{"Rate":"10-S"}""", "n1:1", "ops");
        Assert.Equal(update, RoundTrip(update));
        Assert.Equal(new RateLimitApplied("n2:2", false), RoundTrip(new RateLimitApplied("n2:2", false)));
    }

    [Fact]
    public void Stream_openings_round_trip_with_their_replay_and_recovery()
    {
        var position = new History.StreamPosition("ab12cd", 7);
        var large = OutboundFrame.Text(System.Text.Encoding.UTF8.GetBytes($$"""{"type":"chat","data":"{{new string('x', 70_000)}}"}"""));
        var replay = new[] { Frame.WithSeq(6), large.WithSeq(7) };
        foreach (var recovered in new bool?[] { null, true, false })
        {
            var back = RoundTrip(new UserStreamOpened("c1", position, replay, recovered));
            Assert.Equal(("c1", position, recovered), (back.ConnectionId, back.Position, back.Recovered));
            Assert.Equal(2, back.Replay.Length);
            AssertSameFrame(replay[0], back.Replay[0]);
            AssertSameFrame(replay[1], back.Replay[1]);
        }
        Assert.Empty(RoundTrip(new UserStreamOpened("c1", position, [], null)).Replay);

        var add = new AddConnection("u", "c1", TestActor, OpensStream: true, Resume: position);
        Assert.Equal(add, RoundTrip(add));
        Assert.Equal(add with { Resume = null }, RoundTrip(add with { Resume = null }));
        Assert.Equal(add with { OpensStream = false, Resume = null }, RoundTrip(add with { OpensStream = false, Resume = null }));
    }

    [Fact]
    public void Connections_round_trip_with_their_stream()
    {
        var with = new Connections("u", 2, 1, new History.StreamPosition("ep", 12), DeliveredSeq: 10);
        Assert.Equal(with, RoundTrip(with));
        Assert.Equal(new Connections("u", 0, 0, new History.StreamPosition("ep", 3)), RoundTrip(new Connections("u", 0, 0, new History.StreamPosition("ep", 3))));
        Assert.Equal(new Connections("u", 1, 1), RoundTrip(new Connections("u", 1, 1)));
    }

    [Fact]
    public void A_send_to_a_user_round_trips_with_its_sender_id_and_receipt_request()
    {
        var send = RoundTrip(new SendToUser("u", Frame, Stamp, Sender: "alice", MessageId: "{\"k\":[1]}"u8.ToArray(), WantsReceipt: true));
        Assert.Equal(("u", "alice", true), (send.UserId, send.Sender, send.WantsReceipt));
        Assert.Equal("{\"k\":[1]}"u8.ToArray(), send.MessageId.ToArray());
        Assert.Equal(Stamp, send.Stamp);
        AssertSameFrame(Frame, send.Frame);

        var plain = RoundTrip(new SendToUser("u", Frame));
        Assert.Equal(((string?)null, false, true), (plain.Sender, plain.WantsReceipt, plain.MessageId.IsEmpty));
    }

    [Fact]
    public void Numbered_deliveries_keep_the_frame_seq_and_the_stamp_stream_seq()
    {
        var numbered = Frame.WithSeq(42);
        var stamp = Stamp.RoutedTo(2, 42);
        var deliver = RoundTrip(new DeliverToConnections(["c1"], numbered, stamp));
        Assert.Equal(42, deliver.Frame.Seq);
        Assert.Equal(stamp, deliver.Stamp);
        Assert.Equal(42, deliver.Stamp!.StreamSeq);
        AssertSameFrame(numbered, deliver.Frame);

        var unstamped = RoundTrip(new DeliverToConnections(["c1"], numbered));
        Assert.Equal((42L, (Routing.RelayStamp?)null), (unstamped.Frame.Seq, unstamped.Stamp));

        var group = RoundTrip(new DeliverToGroup("g", numbered, stamp));
        Assert.Equal((42L, 42L), (group.Frame.Seq, group.Stamp!.StreamSeq));

        Assert.Equal(0, RoundTrip(new DeliverToConnections(["c1"], Frame, Stamp)).Frame.Seq);
    }

    [Fact]
    public void Acks_and_relay_confirmations_round_trip_with_their_stream_seq()
    {
        var accepted = RoundTrip(new Accepted("c1", "7"u8.ToArray(), Seq: 9));
        Assert.Equal(("c1", 9L), (accepted.ConnectionId, accepted.Seq));
        Assert.Equal("7"u8.ToArray(), accepted.Id.ToArray());
        Assert.Equal(0, RoundTrip(new Accepted("c1", "7"u8.ToArray())).Seq);

        Assert.Equal(new Routing.RelayProtocol.Routed(1, null, 5), RoundTrip(new Routing.RelayProtocol.Routed(1, null, 5)));
        var refused = new Routing.RelayProtocol.Routed(2, new FrameError("history_off", "off"), 0);
        Assert.Equal(refused, RoundTrip(refused));
        Assert.Equal(new Routing.RelayProtocol.Delivered(3, 99, 2, 6), RoundTrip(new Routing.RelayProtocol.Delivered(3, 99, 2, 6)));
    }

    [Fact]
    public void An_ack_carries_the_join_hooks_data_when_there_is_some()
    {
        var serializer = (SerializerWithStringManifest)Sys.Serialization.FindSerializerFor(new Accepted("c1", default));
        var back = Assert.IsType<Accepted>(serializer.FromBinary(
            serializer.ToBinary(new Accepted("c1", "7"u8.ToArray(), 0, """{"welcome":1}"""u8.ToArray())), "DA"));
        Assert.Equal("""{"welcome":1}""", System.Text.Encoding.UTF8.GetString(back.App.Span));
    }

    [Fact]
    public void Confirmations_of_a_node_of_the_build_before_read_without_a_stream_seq()
    {
        var serializer = (SerializerWithStringManifest)Sys.Serialization.FindSerializerFor(new Accepted("c1", default));
        var routed = serializer.ToBinary(new Routing.RelayProtocol.Routed(1, null, 5));
        Assert.Equal(new Routing.RelayProtocol.Routed(1, null), serializer.FromBinary(routed[..^sizeof(long)], "RR"));
        var delivered = serializer.ToBinary(new Routing.RelayProtocol.Delivered(3, 99, 2, 6));
        Assert.Equal(new Routing.RelayProtocol.Delivered(3, 99, 2), serializer.FromBinary(delivered[..^sizeof(long)], "RD"));
        var accepted = serializer.ToBinary(new Accepted("c1", "7"u8.ToArray(), 9));
        Assert.Equal(0, Assert.IsType<Accepted>(serializer.FromBinary(accepted[..^sizeof(long)], "DA")).Seq);
        var deliver = serializer.ToBinary(new DeliverToConnections(["c1"], Frame.WithSeq(4), Stamp.RoutedTo(1, 4)));
        var earlier = Assert.IsType<DeliverToConnections>(serializer.FromBinary(deliver[..^sizeof(long)], "DC"));
        Assert.Equal((0L, 0L), (earlier.Frame.Seq, earlier.Stamp!.StreamSeq));
    }

    [Fact]
    public void History_messages_round_trip()
    {
        Assert.Equal(new Received("u", 17), RoundTrip(new Received("u", 17)));
        Assert.Equal(new GetHistory("u", 3), RoundTrip(new GetHistory("u", 3)));

        var receipt = ServerFrames.Receipt("\"m1\""u8.ToArray(), "bob", 4);
        var notify = RoundTrip(new Notify("alice", receipt));
        Assert.Equal("alice", notify.UserId);
        AssertSameFrame(receipt, notify.Frame);

        var page = RoundTrip(new HistoryPage("u", new History.StreamPosition("ep", 2), [Frame.WithSeq(1), Frame.WithSeq(2)]));
        Assert.Equal(("u", new History.StreamPosition("ep", 2)), (page.UserId, page.Stream));
        Assert.Equal(2, page.Messages.Length);
        AssertSameFrame(Frame.WithSeq(2), page.Messages[1]);
        var none = RoundTrip(new HistoryPage("u", null, []));
        Assert.Null(none.Stream);
        Assert.Empty(none.Messages);
    }

    [Fact]
    public void User_messages_of_a_node_of_the_build_before_read_without_their_stream_fields()
    {
        var serializer = (SerializerWithStringManifest)Sys.Serialization.FindSerializerFor(new GetConnections("u"));

        // AddConnection: OpensStream (1 byte) and an absent Resume (1 byte) came last.
        var add = serializer.ToBinary(new AddConnection("u", "c1", TestActor, OpensStream: true));
        var earlierAdd = Assert.IsType<AddConnection>(serializer.FromBinary(add[..^2], "UA"));
        Assert.Equal(new AddConnection("u", "c1", TestActor), earlierAdd);

        // SendToUser: an absent Sender (1), an empty MessageId (4) and WantsReceipt (1).
        var send = serializer.ToBinary(new SendToUser("u", Frame, Stamp));
        var earlierSend = Assert.IsType<SendToUser>(serializer.FromBinary(send[..^6], "US"));
        Assert.Equal(((string?)null, false, Stamp), (earlierSend.Sender, earlierSend.WantsReceipt, earlierSend.Stamp));
        AssertSameFrame(Frame, earlierSend.Frame);

        // Connections: an absent Stream (1) and DeliveredSeq (8).
        var connections = serializer.ToBinary(new Connections("u", 2, 1));
        Assert.Equal(new Connections("u", 2, 1), serializer.FromBinary(connections[..^9], "UC"));
    }
}

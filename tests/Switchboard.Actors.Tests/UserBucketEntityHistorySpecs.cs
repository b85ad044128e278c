using System.Text.Json;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using Akka.TestKit;
using Switchboard.Actors.Delivery;
using Switchboard.Actors.History;
using Switchboard.Actors.Routing;
using Switchboard.Streams.Outbound;

namespace Switchboard.Actors.Tests;

/// <summary>The user bucket entities with history on, each the child of a probe standing in for its shard.</summary>
public sealed class UserBucketEntityHistorySpecs : Akka.Hosting.TestKit.TestKit
{
    private static readonly HistoryOptions History = new(Size: 10, Ttl: TimeSpan.FromMinutes(5));
    private readonly RoutingCounters _counters = new();
    private readonly HistoryBudget _budget = new(HistoryBudget.DefaultMaxBytes);

    private static OutboundFrame Chat(int n) => OutboundFrame.Text(System.Text.Encoding.UTF8.GetBytes($$"""{"type":"chat","n":{{n}}}"""));

    private static JsonElement Json(OutboundFrame frame) => JsonDocument.Parse(frame.Payload.ToArray()).RootElement;

    // A plain actor system: with no cluster to recover from, the entities start at once.
    protected override void ConfigureAkka(AkkaConfigurationBuilder builder, IServiceProvider provider)
    {
    }

    private (TestProbe Shard, IActorRef Entity) Start(string user, HistoryOptions? history = null, HistoryBudget? budget = null)
    {
        var shard = CreateTestProbe();
        return (shard, shard.ChildActorOf(UserBucketEntity.PropsFor(UserBuckets.Of(user), _counters, history ?? History, budget ?? _budget)));
    }

    private StreamPosition PositionOf(IActorRef entity, string user)
    {
        entity.Tell(new UserProtocol.GetConnections(user));
        return ExpectMsg<UserProtocol.Connections>().Stream!;
    }

    // Every answer comes after the entity handled the message before it, so once the second answer is here a Passivate the
    // first would have caused is already in the shard's mailbox.
    private void AssertNotPassivated(TestProbe shard, IActorRef entity, string user)
    {
        entity.Tell(new UserProtocol.GetConnections(user));
        entity.Tell(new UserProtocol.GetConnections(user));
        ExpectMsg<UserProtocol.Connections>();
        ExpectMsg<UserProtocol.Connections>();
        Assert.False(shard.HasMessages);
    }

    [Fact]
    public void A_message_for_a_user_without_connections_is_kept_confirmed_with_its_stream_seq_and_replayed_on_resume()
    {
        var (_, entity) = Start("ghost");
        var relay = CreateTestProbe();
        entity.Tell(new UserProtocol.SendToUser("ghost", Chat(1), new RelayStamp(relay, 11, Resent: false)));
        Assert.Equal(new RelayProtocol.Routed(11, null, StreamSeq: 1), relay.ExpectMsg<RelayProtocol.Routed>());
        entity.Tell(new UserProtocol.SendToUser("ghost", Chat(2), new RelayStamp(relay, 12, Resent: false)));
        Assert.Equal(new RelayProtocol.Routed(12, null, StreamSeq: 2), relay.ExpectMsg<RelayProtocol.Routed>());

        var position = PositionOf(entity, "ghost");
        Assert.Equal(2, position.Seq);

        var node = CreateTestProbe();
        entity.Tell(new UserProtocol.AddConnection("ghost", "c1", node, OpensStream: true, Resume: position with { Seq = 0 }));
        var opened = node.ExpectMsg<UserProtocol.UserStreamOpened>();
        Assert.Equal(("c1", position, (bool?)true), (opened.ConnectionId, opened.Position, opened.Recovered));
        Assert.Equal([1L, 2L], opened.Replay.Select(f => Json(f).GetProperty("seq").GetInt64()));
        Assert.Equal([1, 2], opened.Replay.Select(f => Json(f).GetProperty("n").GetInt32()));
        Assert.Equal("chat", Json(opened.Replay[0]).GetProperty("type").GetString());
    }

    [Fact]
    public void A_resume_from_another_epoch_is_not_recovered_and_a_connection_without_resume_gets_the_position_only()
    {
        var (_, entity) = Start("ann");
        entity.Tell(new UserProtocol.SendToUser("ann", Chat(1), new RelayStamp(CreateTestProbe(), 1, Resent: false)));
        var position = PositionOf(entity, "ann");

        var node = CreateTestProbe();
        entity.Tell(new UserProtocol.AddConnection("ann", "c1", node, OpensStream: true, Resume: new StreamPosition("otherepoch", 0)));
        var refused = node.ExpectMsg<UserProtocol.UserStreamOpened>();
        Assert.Equal((position, (bool?)false), (refused.Position, refused.Recovered));
        Assert.Empty(refused.Replay);

        entity.Tell(new UserProtocol.AddConnection("ann", "c2", node, OpensStream: true));
        var plain = node.ExpectMsg<UserProtocol.UserStreamOpened>();
        Assert.Equal((position, (bool?)null), (plain.Position, plain.Recovered));
        Assert.Empty(plain.Replay);

        entity.Tell(new UserProtocol.AddConnection("ann", "c3", node, OpensStream: true, Resume: position));
        var current = node.ExpectMsg<UserProtocol.UserStreamOpened>();
        Assert.Equal((bool?)true, current.Recovered);
        Assert.Empty(current.Replay);
    }

    [Fact]
    public void A_message_to_a_connected_user_goes_out_numbered_with_the_stream_seq_on_its_stamp()
    {
        var (_, entity) = Start("bob");
        var node = CreateTestProbe();
        entity.Tell(new UserProtocol.AddConnection("bob", "c1", node, OpensStream: true));
        var opened = node.ExpectMsg<UserProtocol.UserStreamOpened>();
        Assert.Equal(0, opened.Position.Seq);

        var relay = CreateTestProbe();
        entity.Tell(new UserProtocol.SendToUser("bob", Chat(1), new RelayStamp(relay, 5, Resent: false)));
        var deliver = node.ExpectMsg<DeliveryProtocol.DeliverToConnections>();
        Assert.Equal(["c1"], deliver.ConnectionIds);
        Assert.Equal(1, deliver.Frame.Seq);
        Assert.Equal(1, Json(deliver.Frame).GetProperty("seq").GetInt64());
        Assert.Equal((5L, 1, 1L), (deliver.Stamp!.Seq, deliver.Stamp.Nodes, deliver.Stamp.StreamSeq));
        Assert.False(relay.HasMessages); // the recipient node confirms, not the entity
    }

    [Fact]
    public void A_connected_user_whose_stream_had_to_start_again_hears_stream_reset_before_the_message()
    {
        var (_, entity) = Start("erin");
        var node = CreateTestProbe();
        entity.Tell(new UserProtocol.AddConnection("erin", "c1", node)); // registered without a stream, as after a restart
        entity.Tell(new UserProtocol.SendToUser("erin", Chat(1), new RelayStamp(CreateTestProbe(), 1, Resent: false)));

        var reset = node.ExpectMsg<DeliveryProtocol.DeliverToConnections>();
        Assert.Equal(["c1"], reset.ConnectionIds);
        Assert.Null(reset.Stamp);
        var data = Json(reset.Frame);
        Assert.Equal("stream_reset", data.GetProperty("type").GetString());
        Assert.Equal("user", data.GetProperty("data").GetProperty("stream").GetString());
        Assert.Equal(0, data.GetProperty("data").GetProperty("seq").GetInt64());
        var epoch = data.GetProperty("data").GetProperty("epoch").GetString();

        var message = node.ExpectMsg<DeliveryProtocol.DeliverToConnections>();
        Assert.Equal(1, message.Frame.Seq);
        Assert.Equal(new StreamPosition(epoch!, 1), PositionOf(entity, "erin"));
    }

    [Fact]
    public void A_resend_with_the_same_sender_and_id_is_confirmed_with_its_first_seq_and_not_kept_twice()
    {
        var (_, entity) = Start("carl");
        var relay = CreateTestProbe();
        var id = "\"m-1\""u8.ToArray();
        entity.Tell(new UserProtocol.SendToUser("carl", Chat(1), new RelayStamp(relay, 1, Resent: false), "alice", id));
        Assert.Equal(1, relay.ExpectMsg<RelayProtocol.Routed>().StreamSeq);
        entity.Tell(new UserProtocol.SendToUser("carl", Chat(2), new RelayStamp(relay, 2, Resent: false), "bob", id));
        Assert.Equal(2, relay.ExpectMsg<RelayProtocol.Routed>().StreamSeq);
        entity.Tell(new UserProtocol.SendToUser("carl", Chat(1), new RelayStamp(relay, 3, Resent: false), "alice", id));
        Assert.Equal(new RelayProtocol.Routed(3, null, StreamSeq: 1), relay.ExpectMsg<RelayProtocol.Routed>());

        entity.Tell(new UserProtocol.GetHistory("carl", 0));
        var page = ExpectMsg<UserProtocol.HistoryPage>();
        Assert.Equal(2, page.Stream!.Seq);
        Assert.Equal([1, 2], page.Messages.Select(f => Json(f).GetProperty("n").GetInt32()));
        entity.Tell(new UserProtocol.GetHistory("carl", 1));
        Assert.Single(ExpectMsg<UserProtocol.HistoryPage>().Messages);
    }

    [Fact]
    public void A_confirmation_moves_the_delivered_seq_shown_with_the_connections()
    {
        var (_, entity) = Start("dora");
        var relay = CreateTestProbe();
        for (var i = 1; i <= 3; i++)
            entity.Tell(new UserProtocol.SendToUser("dora", Chat(i), new RelayStamp(relay, i, Resent: false)));
        entity.Tell(new UserProtocol.Received("dora", 2));
        entity.Tell(new UserProtocol.Received("dora", 1));
        entity.Tell(new UserProtocol.GetConnections("dora"));
        var connections = ExpectMsg<UserProtocol.Connections>();
        Assert.Equal((0, 3L, 2L), (connections.Count, connections.Stream!.Seq, connections.DeliveredSeq));
    }

    [Fact]
    public void The_entity_does_not_passivate_while_it_keeps_a_message()
    {
        var (shard, entity) = Start("keeper");
        var relay = CreateTestProbe();
        entity.Tell(new UserProtocol.SendToUser("keeper", Chat(1), new RelayStamp(relay, 1, Resent: false)));
        relay.ExpectMsg<RelayProtocol.Routed>();
        AssertNotPassivated(shard, entity, "keeper");

        // The user comes and goes: the message stays, and so does the entity.
        entity.Tell(new UserProtocol.AddConnection("keeper", "c1", CreateTestProbe(), OpensStream: true));
        entity.Tell(new UserProtocol.RemoveConnection("keeper", "c1"));
        AssertNotPassivated(shard, entity, "keeper");
        entity.Tell(new UserProtocol.GetHistory("keeper", 0));
        Assert.Single(ExpectMsg<UserProtocol.HistoryPage>().Messages);
    }

    [Fact]
    public void With_history_off_the_same_message_passivates_the_entity_and_carries_no_seq()
    {
        var (shard, entity) = Start("nobody", new HistoryOptions(0, HistoryOptions.DefaultTtl));
        var relay = CreateTestProbe();
        entity.Tell(new UserProtocol.SendToUser("nobody", Chat(1), new RelayStamp(relay, 1, Resent: false)));
        Assert.Equal(new RelayProtocol.Routed(1, null), relay.ExpectMsg<RelayProtocol.Routed>());
        shard.ExpectMsg<Passivate>();
        entity.Tell(new UserProtocol.GetHistory("nobody", 0));
        var page = ExpectMsg<UserProtocol.HistoryPage>();
        Assert.Null(page.Stream);
        Assert.Empty(page.Messages);
    }

    [Fact]
    public void Stopping_the_entity_gives_its_history_back_to_the_node_budget()
    {
        var (_, entity) = Start("leaver");
        var relay = CreateTestProbe();
        entity.Tell(new UserProtocol.SendToUser("leaver", Chat(1), new RelayStamp(relay, 1, Resent: false)));
        relay.ExpectMsg<RelayProtocol.Routed>();
        Assert.Equal(1, _budget.Messages);
        Assert.True(_budget.Bytes > 0);

        Watch(entity);
        Sys.Stop(entity);
        ExpectTerminated(entity);
        Assert.Equal((0L, 0L), (_budget.Bytes, _budget.Messages));
    }

    [Fact]
    public void A_copy_the_relay_sends_again_goes_out_again_with_its_first_seq_and_a_client_resend_does_not()
    {
        var (_, entity) = Start("fay");
        var node = CreateTestProbe();
        entity.Tell(new UserProtocol.AddConnection("fay", "c1", node, OpensStream: true));
        node.ExpectMsg<UserProtocol.UserStreamOpened>();
        var relay = CreateTestProbe();
        var id = "\"x\""u8.ToArray();
        entity.Tell(new UserProtocol.SendToUser("fay", Chat(1), new RelayStamp(relay, 1, Resent: false), "alice", id));
        var first = node.ExpectMsg<DeliveryProtocol.DeliverToConnections>();

        entity.Tell(new UserProtocol.SendToUser("fay", Chat(1), new RelayStamp(relay, 1, Resent: true), "alice", id));
        var again = node.ExpectMsg<DeliveryProtocol.DeliverToConnections>();
        Assert.Same(first.Frame, again.Frame);
        Assert.Equal((1L, true, 1L), (again.Stamp!.Seq, again.Stamp.Resent, again.Stamp.StreamSeq));

        // The client sent it again under a new relay number: acknowledged with seq 1, delivered to nobody.
        entity.Tell(new UserProtocol.SendToUser("fay", Chat(1), new RelayStamp(relay, 2, Resent: false), "alice", id));
        Assert.Equal(new RelayProtocol.Routed(2, null, StreamSeq: 1), relay.ExpectMsg<RelayProtocol.Routed>());
        entity.Tell(new UserProtocol.GetHistory("fay", 0));
        Assert.Single(ExpectMsg<UserProtocol.HistoryPage>().Messages);
        Assert.False(node.HasMessages);
    }

    [Fact]
    public void Two_nodes_get_the_same_numbered_frame_and_the_same_stream_seq()
    {
        var (_, entity) = Start("gus");
        var (node1, node2) = (CreateTestProbe(), CreateTestProbe());
        entity.Tell(new UserProtocol.AddConnection("gus", "c1", node1, OpensStream: true));
        entity.Tell(new UserProtocol.AddConnection("gus", "c2", node2, OpensStream: true));
        node1.ExpectMsg<UserProtocol.UserStreamOpened>();
        node2.ExpectMsg<UserProtocol.UserStreamOpened>();
        entity.Tell(new UserProtocol.SendToUser("gus", Chat(1), new RelayStamp(CreateTestProbe(), 9, Resent: false)));
        var (to1, to2) = (node1.ExpectMsg<DeliveryProtocol.DeliverToConnections>(), node2.ExpectMsg<DeliveryProtocol.DeliverToConnections>());
        Assert.Same(to1.Frame, to2.Frame);
        Assert.Equal(1, to1.Frame.Seq);
        Assert.Equal(to1.Stamp, to2.Stamp);
        Assert.Equal((2, 1L), (to1.Stamp!.Nodes, to1.Stamp.StreamSeq));
    }

    [Fact]
    public void Over_the_node_budget_the_stalest_stream_is_evicted_and_its_connected_user_hears_stream_reset()
    {
        var budget = new HistoryBudget(maxBytes: 5_000);
        var (hal, ivy) = TwoUsersOfOneBucket();
        var (_, entity) = Start(hal, budget: budget);
        var node = CreateTestProbe();
        entity.Tell(new UserProtocol.AddConnection(hal, "c1", node, OpensStream: true));
        var before = node.ExpectMsg<UserProtocol.UserStreamOpened>().Position;
        var big = OutboundFrame.Text(System.Text.Encoding.UTF8.GetBytes($$"""{"type":"chat","data":"{{new string('x', 6_000)}}"}"""));
        entity.Tell(new UserProtocol.SendToUser(hal, big, new RelayStamp(CreateTestProbe(), 1, Resent: false)));
        Assert.Equal(1, node.ExpectMsg<DeliveryProtocol.DeliverToConnections>().Frame.Seq);
        Assert.True(budget.IsOver);

        // Another user's message evicts hal's stream, the stalest other one.
        entity.Tell(new UserProtocol.SendToUser(ivy, Chat(1), new RelayStamp(CreateTestProbe(), 2, Resent: false)));
        entity.Tell(new UserProtocol.GetHistory(hal, 0));
        Assert.Null(ExpectMsg<UserProtocol.HistoryPage>().Stream);
        Assert.False(budget.IsOver);

        entity.Tell(new UserProtocol.SendToUser(hal, Chat(2), new RelayStamp(CreateTestProbe(), 3, Resent: false)));
        var reset = Json(node.ExpectMsg<DeliveryProtocol.DeliverToConnections>().Frame);
        Assert.Equal("stream_reset", reset.GetProperty("type").GetString());
        Assert.NotEqual(before.Epoch, reset.GetProperty("data").GetProperty("epoch").GetString());
        Assert.Equal(1, node.ExpectMsg<DeliveryProtocol.DeliverToConnections>().Frame.Seq);
    }

    private static (string, string) TwoUsersOfOneBucket()
    {
        var first = "user-0";
        var second = Enumerable.Range(1, 100_000).Select(i => $"user-{i}").First(u => UserBuckets.Of(u) == UserBuckets.Of(first));
        return (first, second);
    }
}

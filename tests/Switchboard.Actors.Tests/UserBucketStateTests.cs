using System.Text;
using System.Text.Json;
using Akka.Actor;
using Switchboard.Actors.History;
using Switchboard.Actors.Routing;
using Switchboard.Actors.Routing.State;
using Switchboard.Streams.Outbound;
using static Switchboard.Actors.Routing.UserProtocol;

namespace Switchboard.Actors.Tests;

/// <summary>A user bucket's state on its own, without an actor: what it knows, and what it says a message becomes.</summary>
public sealed class UserBucketStateTests
{
    private static readonly HistoryOptions History = new(Size: 10, Ttl: TimeSpan.FromMinutes(5));
    private static readonly OutboundFrame Frame = OutboundFrame.Text("""{"type":"chat"}"""u8);
    private readonly IActorRef _node1 = new TestNode("node1");
    private readonly IActorRef _node2 = new TestNode("node2");
    private readonly IActorRef _relay = new TestNode("relay");
    private readonly UserBucketState _state = new();

    private static OutboundFrame Chat(int n) => OutboundFrame.Text(Encoding.UTF8.GetBytes($$"""{"type":"chat","n":{{n}}}"""));

    private static JsonElement Json(OutboundFrame frame) => JsonDocument.Parse(frame.Payload.ToArray()).RootElement;

    // What the entity does: the keeper numbers the message, then the state says where it goes.
    private Dispatch Send(IStreamKeeper history, SendToUser send)
    {
        Dispatch? dispatch = null;
        history.Append(send.UserId, send, (sent, numbering) => dispatch = _state.Route(sent.UserId, numbering, out _));
        return dispatch ?? throw new InvalidOperationException("the keeper did not answer at once");
    }

    [Fact]
    public void Connections_are_added_once_and_removed_and_a_user_without_any_is_forgotten()
    {
        _state.Add("bob", "c1", _node1);
        _state.Add("bob", "c1", _node1); // a repeat changes nothing
        _state.Add("bob", "c2", _node1);
        Assert.Equal(2, _state.ConnectionsOf("bob")!.Count);

        _state.Remove("bob", "c1");
        _state.Remove("bob", "c9");
        _state.Remove("eve", "c2"); // neither is known: nothing changes
        Assert.Equal(["c2"], _state.ConnectionsOf("bob")!.Ids());
        Assert.True(_state.IsFollowed("bob"));

        _state.Remove("bob", "c2");
        Assert.Null(_state.ConnectionsOf("bob"));
        Assert.False(_state.IsFollowed("bob"));
    }

    [Fact]
    public void A_lost_node_takes_its_connections_with_it_and_leaves_the_others()
    {
        _state.Add("bob", "c1", _node1);
        _state.Add("bob", "c2", _node2);
        _state.Add("eve", "c3", _node1);

        _state.NodeLost(_node1);

        Assert.Equal(["c2"], _state.ConnectionsOf("bob")!.Ids());
        Assert.Equal(_node2, _state.ConnectionsOf("bob")!.OnlyNode());
        Assert.Null(_state.ConnectionsOf("eve"));
    }

    [Fact]
    public void A_node_answering_the_start_brings_back_its_connections()
    {
        Assert.True(_state.Recover(new RegistryProtocol.UsersFound(7, ["bob", "c1", "eve", "c2"], _node1)));
        Assert.False(_state.Recover(new RegistryProtocol.UsersFound(7, [], _node2)));
        Assert.Equal(["c1"], _state.ConnectionsOf("bob")!.Ids());
        Assert.Equal(_node1, _state.ConnectionsOf("eve")!.OnlyNode());
    }

    [Fact]
    public void A_message_goes_once_to_each_node_holding_connections_of_the_user()
    {
        _state.Add("bob", "c1", _node1);
        _state.Add("bob", "c2", _node1);
        _state.Add("bob", "c3", _node2);
        _state.Add("eve", "c4", _node2);

        var dispatch = _state.Route("bob", Numbering.Unnumbered(Frame), out var bob);
        Assert.Equal(new Dispatch(Frame, 0, null, false, null), dispatch);
        Assert.Null(bob!.OnlyNode());
        var perNode = bob.PerNode();
        Assert.Equal(2, perNode.Count);
        Assert.Equal(["c1", "c2"], perNode.Single(n => n.Node.Equals(_node1)).Ids.Order());
        Assert.Equal(["c3"], perNode.Single(n => n.Node.Equals(_node2)).Ids);

        _state.Route("eve", Numbering.Unnumbered(Frame), out var eve);
        Assert.Equal(_node2, eve!.OnlyNode());
        Assert.Equal(["c4"], eve.Ids());
    }

    [Fact]
    public void Without_history_a_message_to_a_user_without_connections_is_undeliverable_and_confirmed()
    {
        var dispatch = Send(NoHistory.Instance, new SendToUser("ghost", Frame, new RelayStamp(_relay, 1, Resent: false)));
        Assert.Equal(new Dispatch(null, 0, null, Undeliverable: true, null), dispatch);
    }

    [Fact]
    public void The_entity_may_passivate_only_with_nobody_connected_and_nothing_kept()
    {
        Assert.True(_state.MayPassivate(NoHistory.Instance));
        _state.Add("bob", "c1", _node1);
        Assert.False(_state.MayPassivate(NoHistory.Instance));
        _state.Remove("bob", "c1");
        Assert.True(_state.MayPassivate(NoHistory.Instance));

        var memory = new MemoryHistory(History, new HistoryBudget(HistoryBudget.DefaultMaxBytes));
        Assert.True(_state.MayPassivate(memory));
        Send(memory, new SendToUser("bob", Frame));
        Assert.False(_state.MayPassivate(memory)); // a message kept for bob
    }

    [Fact]
    public void With_memory_history_messages_are_numbered_in_the_user_stream_and_a_resend_keeps_its_number()
    {
        var memory = new MemoryHistory(History, new HistoryBudget(HistoryBudget.DefaultMaxBytes));
        _state.Add("bob", "c1", _node1); // registered without a stream, as after a restart
        var id = "\"m-1\""u8.ToArray();

        var first = Send(memory, new SendToUser("bob", Chat(1), new RelayStamp(_relay, 1, Resent: false), "alice", id));
        Assert.Equal((1L, 1L), (first.Seq, first.Frame!.Seq));
        Assert.Equal(1, Json(first.Frame).GetProperty("seq").GetInt64());
        // The stream started with this message while bob was connected: he hears its epoch first.
        var reset = Json(first.StreamReset!).GetProperty("data");
        Assert.Equal(("user", 0L), (reset.GetProperty("stream").GetString(), reset.GetProperty("seq").GetInt64()));

        var second = Send(memory, new SendToUser("bob", Chat(2), new RelayStamp(_relay, 2, Resent: false), "alice", "\"m-2\""u8.ToArray()));
        Assert.Equal((2L, 2L, (OutboundFrame?)null), (second.Seq, second.Frame!.Seq, second.StreamReset));

        // The client sent it again: confirmed with its first number, delivered to nobody.
        var resend = Send(memory, new SendToUser("bob", Chat(1), new RelayStamp(_relay, 3, Resent: false), "alice", id));
        Assert.Equal(new Dispatch(null, 1, null, false, null), resend);
        // The relay sent its copy again: the nodes get the same numbered frame again (they drop what they have).
        var relayed = Send(memory, new SendToUser("bob", Chat(1), new RelayStamp(_relay, 1, Resent: true), "alice", id));
        Assert.Equal(1, relayed.Seq);
        Assert.Same(first.Frame, relayed.Frame);

        // A user without connections has a stream too: the message is kept, and its sender hears its number.
        Assert.Equal(new Dispatch(null, 1, null, false, null), Send(memory, new SendToUser("ghost", Chat(1))));
    }
}

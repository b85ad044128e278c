using System.Text.Json;
using Akka.Actor;
using Switchboard.Actors.History;
using Switchboard.Actors.Routing;
using Switchboard.Actors.Routing.State;
using Switchboard.Streams.Outbound;
using static Switchboard.Actors.Routing.GroupProtocol;

namespace Switchboard.Actors.Tests;

/// <summary>A group's state on its own, without an actor: its membership, and what it says a message becomes.</summary>
public sealed class GroupStateTests
{
    private static readonly HistoryOptions History = new(Size: 10, Ttl: TimeSpan.FromMinutes(5));
    private static readonly OutboundFrame Frame = OutboundFrame.Text("""{"type":"news"}"""u8);
    private readonly IActorRef _node1 = new TestNode("node1");
    private readonly IActorRef _node2 = new TestNode("node2");
    private readonly IActorRef _relay = new TestNode("relay");
    private readonly GroupState _state = new("g");

    private static JsonElement Json(OutboundFrame frame) => JsonDocument.Parse(frame.Payload.ToArray()).RootElement;

    private Dispatch Send(IStreamKeeper history, SendToGroup send)
    {
        Dispatch? dispatch = null;
        history.Append(send.Group, send, (_, numbering) => dispatch = _state.Route(numbering));
        return dispatch ?? throw new InvalidOperationException("the keeper did not answer at once");
    }

    [Fact]
    public void A_join_adds_a_member_once_and_a_resent_copy_adds_nobody()
    {
        Assert.Equal(Joined.Added, _state.Join(new AddMember("g", "ann", "c1", _node1)));
        Assert.Equal(Joined.AlreadyMember, _state.Join(new AddMember("g", "ann", "c1", _node1)));
        // c2 joined and left before its resent copy arrived: the copy must not bring it back.
        Assert.Equal(Joined.ResentCopy, _state.Join(new AddMember("g", "ann", "c2", _node1, new RelayStamp(_relay, 2, Resent: true))));
        Assert.Equal(1, _state.Listing(null).Connections);
    }

    [Fact]
    public void Members_leave_one_by_one_or_with_their_node()
    {
        _state.Join(new AddMember("g", "ann", "c1", _node1));
        _state.Join(new AddMember("g", "ben", "c2", _node1));
        _state.Join(new AddMember("g", "ann", "c3", _node2));
        Assert.Equal([_node1, _node2], _state.Nodes.OrderBy(n => n.Path.Name));

        _state.Leave("c3");
        _state.Leave("c9"); // not a member: nothing changes
        Assert.Equal([_node1], _state.Nodes);

        _state.NodeLost(_node1);
        Assert.False(_state.HasMembers);
        Assert.Empty(_state.Nodes);
    }

    [Fact]
    public void A_node_answering_the_start_brings_back_its_members()
    {
        var found = new RegistryProtocol.GroupFound("g", ["ann", "c1", "ben", "c2"], _node1);
        Assert.True(_state.Recover(found));
        Assert.False(_state.Recover(found)); // known already
        Assert.Equal([new Member("ann", 1), new Member("ben", 1)], _state.Listing(null).Users);
    }

    [Fact]
    public void A_group_message_is_one_message_per_node_with_members()
    {
        for (var i = 0; i < 5; i++)
            _state.Join(new AddMember("g", $"u{i}", $"c{i}", i < 3 ? _node1 : _node2));

        var dispatch = Send(NoHistory.Instance, new SendToGroup("g", Frame, new RelayStamp(_relay, 7, Resent: false)));
        Assert.Equal(new Dispatch(Frame, 0, null, false, null), dispatch);
        Assert.Equal(2, _state.Nodes.Count);
        var delivery = _state.DeliveryOf(Frame, new RelayStamp(_relay, 7, Resent: false), 0);
        Assert.Equal(("g", 7L, 2), (delivery.Group, delivery.Stamp!.Seq, delivery.Stamp.Nodes));
        Assert.Same(Frame, delivery.Frame);
    }

    [Fact]
    public void Without_history_a_message_to_a_group_without_members_is_refused_and_counted()
    {
        var dispatch = Send(NoHistory.Instance, new SendToGroup("g", Frame));
        Assert.Equal((true, "unknown_group", (OutboundFrame?)null), (dispatch.Undeliverable, dispatch.Refusal?.Code, dispatch.Frame));
    }

    [Fact]
    public void Membership_lists_users_with_their_connection_counts_in_order()
    {
        _state.Join(new AddMember("g", "ben", "c1", _node1));
        _state.Join(new AddMember("g", "ann", "c2", _node1));
        _state.Join(new AddMember("g", "ann", "c3", _node2));
        var members = _state.Listing(new StreamPosition("ep1", 4));
        Assert.Equal((3, "ep1"), (members.Connections, members.Stream!.Epoch));
        Assert.Equal([new Member("ann", 2), new Member("ben", 1)], members.Users);
    }

    [Fact]
    public void The_entity_may_passivate_only_without_members_and_with_nothing_kept()
    {
        Assert.True(_state.MayPassivate(NoHistory.Instance));
        _state.Join(new AddMember("g", "ann", "c1", _node1));
        Assert.False(_state.MayPassivate(NoHistory.Instance));
        _state.Leave("c1");
        Assert.True(_state.MayPassivate(NoHistory.Instance));

        var memory = new MemoryHistory(History, new HistoryBudget(HistoryBudget.DefaultMaxBytes));
        Send(memory, new SendToGroup("g", Frame));
        Assert.False(_state.MayPassivate(memory));
    }

    [Fact]
    public void With_memory_history_a_group_without_members_keeps_messages_numbered_for_the_members_to_come()
    {
        var memory = new MemoryHistory(History, new HistoryBudget(HistoryBudget.DefaultMaxBytes));
        Assert.Equal(new Dispatch(null, 1, null, false, null), Send(memory, new SendToGroup("g", Frame, new RelayStamp(_relay, 1, Resent: false))));
        Assert.Equal(new Dispatch(null, 2, null, false, null), Send(memory, new SendToGroup("g", Frame, new RelayStamp(_relay, 2, Resent: false))));

        _state.Join(new AddMember("g", "ann", "c1", _node1));
        var third = Send(memory, new SendToGroup("g", Frame, new RelayStamp(_relay, 3, Resent: false)));
        Assert.Equal((3L, 3L, (OutboundFrame?)null), (third.Seq, third.Frame!.Seq, third.StreamReset));
    }

    [Fact]
    public void A_stream_started_anew_under_members_tells_them_its_epoch_first()
    {
        // The entity restarted: it recovered its members, not its stream.
        _state.Recover(new RegistryProtocol.GroupFound("g", ["ann", "c1"], _node1));
        var memory = new MemoryHistory(History, new HistoryBudget(HistoryBudget.DefaultMaxBytes));

        var started = memory.StartIfNew("g");
        Assert.Equal(0, started!.Seq);
        var reset = Json(_state.StreamStarted(started)!);
        Assert.Equal("stream_reset", reset.GetProperty("type").GetString());
        Assert.Equal(("g", started.Epoch), (reset.GetProperty("data").GetProperty("group").GetString(),
            reset.GetProperty("data").GetProperty("epoch").GetString()));
        Assert.Null(memory.StartIfNew("g"));

        // The first message in it goes out numbered, with no second reset.
        var first = Send(memory, new SendToGroup("g", Frame));
        Assert.Equal((1L, (OutboundFrame?)null), (first.Frame!.Seq, first.StreamReset));
    }
}

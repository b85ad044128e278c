using System.Text.Json.Nodes;
using Switchboard.Client.Tests.Support;

namespace Switchboard.Client.Tests;

/// <summary>Connect, send, acks and errors, join and leave, receipts and resends against one real node with history on.</summary>
[Collection(SharedNode.Collection)]
public sealed class MessagingTests(SharedNode node)
{
    [Fact]
    public async Task Connect_completes_with_the_welcome_and_the_client_holds_its_user_streams_position()
    {
        await using var clients = new Clients();
        var alice = clients.Make("welcome-alice", node.Ws);
        var seen = new Recorder(alice);
        var welcome = await alice.ConnectAsync();
        Assert.Equal("welcome-alice", welcome.UserId);
        Assert.False(string.IsNullOrEmpty(welcome.ConnectionId));
        Assert.Equal(ConnectionState.Connected, alice.State);
        Assert.Equal(welcome.Streams!.User, alice.Positions.User);
        Assert.Equal([ConnectionState.Connecting, ConnectionState.Connected], seen.States);
    }

    [Fact]
    public async Task A_direct_message_is_acked_with_its_seq_and_reaches_the_recipient_once_with_its_sender()
    {
        await using var clients = new Clients();
        var alice = clients.Make("direct-alice", node.Ws);
        var bob = clients.Make("direct-bob", node.Ws);
        var seen = new Recorder(bob);
        await Task.WhenAll(alice.ConnectAsync(), bob.ConnectAsync());
        var ack = await alice.SendToUserAsync("direct-bob", "chat", new JsonObject { ["text"] = "hi" });
        Assert.Equal(1, ack.Seq);
        await seen.UntilAsync(s => s.Messages.Count == 1, "bob has the message");
        var message = Assert.Single(seen.Messages);
        Assert.Equal(("chat", "direct-alice", 1L), (message.Type, message.From, message.Seq!.Value));
        Assert.Equal("hi", message.Data.GetProperty("text").GetString());
    }

    [Fact]
    public async Task The_servers_error_frame_faults_the_send_with_its_code_and_the_connection_stays()
    {
        await using var clients = new Clients();
        var alice = clients.Make("error-alice", node.Ws);
        await alice.ConnectAsync();
        var unknown = await Assert.ThrowsAsync<SwitchboardException>(() => alice.LeaveAsync("error-never-joined"));
        Assert.Equal("unknown_group", unknown.Code);
        Assert.Equal(ConnectionState.Connected, alice.State);
        Assert.Equal(1, (await alice.SendToUserAsync("error-alice", "note", 1)).Seq);
    }

    [Fact]
    public async Task Join_gets_the_groups_position_group_messages_reach_members_and_after_leave_they_do_not()
    {
        await using var clients = new Clients();
        var alice = clients.Make("group-alice", node.Ws);
        var bob = clients.Make("group-bob", node.Ws);
        var seen = new Recorder(bob);
        await Task.WhenAll(alice.ConnectAsync(), bob.ConnectAsync());
        var joined = await bob.JoinAsync("group-room");
        Assert.False(string.IsNullOrEmpty(joined.Epoch));
        Assert.Equal(new StreamPosition(joined.Epoch!, joined.Seq!.Value), bob.Positions.Groups["group-room"]);
        Assert.Equal(["group-room"], bob.Groups);

        await alice.SendToGroupAsync("group-room", "chat", "one");
        await seen.UntilAsync(s => s.Messages.Count == 1, "bob has the group message");
        Assert.Equal(("group-room", "one"), (seen.Messages[0].Group, seen.Texts[0]));

        await bob.LeaveAsync("group-room");
        Assert.Empty(bob.Groups);
        Assert.False(bob.Positions.Groups.ContainsKey("group-room"));
        // One sender's messages reach a connection in order: had "two" reached bob, it would come before "after".
        await alice.SendToGroupAsync("group-room", "chat", "two");
        await alice.SendToUserAsync("group-bob", "chat", "after");
        await seen.UntilAsync(s => s.Texts.Contains("after"), "bob has the direct message after the group one");
        Assert.Equal(["one", "after"], seen.Texts);
    }

    [Fact]
    public async Task A_receipt_comes_back_once_the_recipient_confirms_the_message()
    {
        await using var clients = new Clients();
        var alice = clients.Make("receipt-alice", node.Ws);
        var bob = clients.Make("receipt-bob", node.Ws);
        var aliceSeen = new Recorder(alice);
        var bobSeen = new Recorder(bob);
        await Task.WhenAll(alice.ConnectAsync(), bob.ConnectAsync());
        var ack = await alice.SendAsync(new OutgoingMessage { To = "receipt-bob", Type = "chat", Data = "read me", Receipt = true, Id = "r-1" });
        await bobSeen.UntilAsync(s => s.Messages.Count == 1, "bob has the message");
        await bob.ConfirmReceivedAsync(bobSeen.Messages[0].Seq!.Value);
        await aliceSeen.UntilAsync(s => s.Receipts.Count == 1, "alice has the receipt");
        var receipt = aliceSeen.Receipts[0];
        Assert.Equal(("r-1", "receipt-bob", ack.Seq, "delivered"), (receipt.Id, receipt.To, receipt.Seq, receipt.Status));
    }

    [Fact]
    public async Task A_resend_with_the_same_id_is_acked_with_its_first_seq_and_delivered_once()
    {
        await using var clients = new Clients();
        var alice = clients.Make("resend-alice", node.Ws);
        var bob = clients.Make("resend-bob", node.Ws);
        var seen = new Recorder(bob);
        await Task.WhenAll(alice.ConnectAsync(), bob.ConnectAsync());
        var first = await alice.SendAsync(new OutgoingMessage { To = "resend-bob", Type = "chat", Data = "once", Id = "same" });
        var again = await alice.SendAsync(new OutgoingMessage { To = "resend-bob", Type = "chat", Data = "once", Id = "same" });
        Assert.Equal(first.Seq, again.Seq);
        await alice.SendToUserAsync("resend-bob", "chat", "marker");
        await seen.UntilAsync(s => s.Texts.Contains("marker"), "bob has the marker");
        Assert.Equal(["once", "marker"], seen.Texts);
    }

    [Fact]
    public async Task Generated_ids_are_unique_and_an_id_still_waiting_for_its_ack_cannot_be_reused()
    {
        await using var clients = new Clients();
        var alice = clients.Make("ids-alice", node.Ws);
        await alice.ConnectAsync();
        var acks = await Task.WhenAll(Enumerable.Range(1, 3).Select(n => alice.SendToUserAsync("ids-alice", "n", n)));
        Assert.Equal(3, acks.Select(a => a.Id).Distinct().Count());
        Assert.All(acks, a => Assert.False(string.IsNullOrEmpty(a.Id)));
        var pending = alice.SendAsync(new OutgoingMessage { To = "ids-alice", Type = "n", Id = "42" });
        var duplicate = await Assert.ThrowsAsync<SwitchboardException>(() => alice.SendAsync(new OutgoingMessage { To = "ids-alice", Type = "n", Id = "42" }));
        Assert.Equal(SwitchboardException.Codes.DuplicateId, duplicate.Code);
        await pending;
    }

    [Fact]
    public async Task Bad_input_throws_an_ArgumentException_before_anything_is_sent()
    {
        await using var clients = new Clients();
        Assert.Contains("ws://", Assert.ThrowsAny<ArgumentException>(() => clients.Make("input-alice", new Uri("http://127.0.0.1/ws"))).Message);
        Assert.ThrowsAny<ArgumentException>(() => clients.Make("input-alice", Array.Empty<Uri>()));
        Assert.Contains("PingInterval", Assert.ThrowsAny<ArgumentException>(
            () => clients.Make("input-alice", node.Ws, o => o.PingInterval = TimeSpan.FromSeconds(-1))).Message);

        var alice = clients.Make("input-alice", node.Ws);
        var notConnected = await Assert.ThrowsAsync<SwitchboardException>(() => alice.SendToUserAsync("bob", "chat"));
        Assert.Equal((SwitchboardException.Codes.Closed, true), (notConnected.Code, notConnected.Message.Contains("ConnectAsync")));
        await alice.ConnectAsync();
        Assert.Contains("exactly one of To and Group", Refusal.Of(() => alice.SendAsync(new OutgoingMessage { Type = "chat" })).Message);
        Refusal.Of(() => alice.SendAsync(new OutgoingMessage { To = "a", Group = "b", Type = "chat" }));
        Assert.Contains("type", Refusal.Of(() => alice.SendToUserAsync("bob", "")).Message);
        Assert.Contains("reserved", Refusal.Of(() => alice.SendToUserAsync("bob", "join")).Message);
        Refusal.Of(() => alice.SendAsync(new OutgoingMessage { Group = "g", Type = "chat", Receipt = true }));
        Assert.Contains("\",\"", Refusal.Of(() => alice.JoinAsync("a,b")).Message);
        Refusal.Of(() => alice.ConfirmReceivedAsync(-1));
        Assert.Equal(ConnectionState.Connected, alice.State);
    }

    [Fact]
    public async Task Close_stops_the_client_and_fails_what_was_still_waiting_never_dropping_it_silently()
    {
        await using var clients = new Clients();
        // Nothing listens there: the client keeps trying, so the connect and the send are still waiting when it closes.
        var alice = clients.Make("close-alice", new Uri($"ws://127.0.0.1:{ServiceProcess.FreePort()}/ws"));
        var connecting = alice.ConnectAsync();
        var waiting = alice.SendToUserAsync("close-alice", "chat");
        await alice.CloseAsync();
        Assert.Equal(ConnectionState.Disconnected, alice.State);
        Assert.Equal(SwitchboardException.Codes.Closed, (await Assert.ThrowsAsync<SwitchboardException>(() => connecting)).Code);
        Assert.Equal(SwitchboardException.Codes.Closed, (await Assert.ThrowsAsync<SwitchboardException>(() => waiting)).Code);
        Assert.Equal(SwitchboardException.Codes.Closed,
            (await Assert.ThrowsAsync<SwitchboardException>(() => alice.SendToUserAsync("close-alice", "chat"))).Code);
    }

    // The JavaScript client's "on returns a function that unsubscribes" has no counterpart: .NET events unsubscribe with -=.
}

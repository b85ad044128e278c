using System.Text.Json.Nodes;
using Switchboard.Client.Tests.Support;

namespace Switchboard.Client.Tests;

/// <summary>One node with history on (WEBSOCKET_HISTORY_SIZE: seq, positions, receipts and idempotent resends are what these tests are about).</summary>
public sealed class HistoryNode : Node
{
    protected override IDictionary<string, string> Settings => new Dictionary<string, string> { ["WEBSOCKET_HISTORY_SIZE"] = "1000" };
}

/// <summary>Connect, send, acks and errors, join and leave, receipts and resends against one real node with history on.</summary>
public sealed class MessagingTests(HistoryNode node) : IClassFixture<HistoryNode>
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
}

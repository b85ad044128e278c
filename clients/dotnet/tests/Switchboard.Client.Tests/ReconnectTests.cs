using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Switchboard.Client.Tests.Support;

namespace Switchboard.Client.Tests;

/// <summary>A node with history on (WEBSOCKET_HISTORY_SIZE): resends and resumes are about it.</summary>
public sealed class HistoryNode : Node
{
    protected override IDictionary<string, string> Settings => new Dictionary<string, string> { ["WEBSOCKET_HISTORY_SIZE"] = "1000" };
}

/// <summary>A node with the service's defaults.</summary>
public sealed class PlainNode : Node
{
    protected override IDictionary<string, string> Settings => new Dictionary<string, string>();
}

/// <summary>A node with a message rate of one a second (WEBSOCKET_MESSAGE_RATE): a flood gets the rate-limit close.</summary>
public sealed class RateLimitedNode : Node
{
    protected override IDictionary<string, string> Settings => new Dictionary<string, string> { ["WEBSOCKET_MESSAGE_RATE"] = "1-S" };
}

/// <summary>
/// Four single nodes, each a cluster of its own, as the JavaScript client's reconnect tests have them: two with the
/// service's defaults (a client's list of URLs), one with history on (resends and resumes are about it), one with a
/// message rate (the rate-limit close is). Tests stop, freeze and restart them, so their classes run one at a time.
/// </summary>
public sealed class ReconnectNodes : IAsyncLifetime
{
    public const string Collection = "Reconnect nodes";

    public PlainNode First { get; } = new();
    public PlainNode Second { get; } = new();
    public HistoryNode WithHistory { get; } = new();
    public RateLimitedNode RateLimited { get; } = new();

    private Node[] All => [First, Second, WithHistory, RateLimited];

    public async Task InitializeAsync()
    {
        foreach (var node in All) await node.InitializeAsync();
    }

    public Task DisposeAsync() => Task.WhenAll(All.Select(node => node.DisposeAsync()));
}

[CollectionDefinition(ReconnectNodes.Collection)]
public sealed class ReconnectNodesCollection : ICollectionFixture<ReconnectNodes>;

/// <summary>
/// What the client does when its connection ends: a kick stops it, a node going away (1001) or a dead server sends it
/// to the next URL, a send made meanwhile waits and arrives, a resume the server cannot serve says Recovered false. A
/// send the dead connection did not answer is sent again and delivered once; a rate-limit close is backed off from.
/// </summary>
[Collection(ReconnectNodes.Collection)]
public sealed class ReconnectTests(ReconnectNodes nodes)
{
    [Fact]
    public async Task A_kick_stops_the_client_which_says_why_and_does_not_reconnect()
    {
        await using var clients = new Clients();
        var alice = clients.Make("kicked-alice", [nodes.First.Ws, nodes.Second.Ws]);
        var seen = new Recorder(alice);
        await alice.ConnectAsync();
        using var http = new HttpClient { BaseAddress = nodes.First.Process.BaseUri };
        var response = await http.PostAsJsonAsync("/ws/admin/kick", new { user_id = "kicked-alice", reason = "spam" });
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);

        await seen.UntilAsync(s => s.Errors.Count > 0, "alice stops");
        var error = Assert.Single(seen.Errors);
        Assert.Equal(("kicked", 1008), (error.Code, error.CloseCode));
        Assert.Contains("kicked: spam", error.Message);
        Assert.Equal(ConnectionState.Disconnected, alice.State);
        Assert.Same(error, alice.StopReason);
        Assert.Equal([ConnectionState.Connecting, ConnectionState.Connected, ConnectionState.Disconnected], seen.States);
        var refused = await Assert.ThrowsAsync<SwitchboardException>(() => alice.SendToUserAsync("anyone", "chat"));
        Assert.Equal("kicked", refused.Code);
    }

    [Fact]
    public async Task A_dead_server_that_keeps_its_TCP_connection_open_is_noticed_by_the_ping_and_left_for_the_next_URL()
    {
        await using var clients = new Clients();
        // The heartbeat's settings are what this test is about: short, so that the test does not wait 35 s, and with a
        // pong timeout that a node busy on a loaded machine still meets.
        var alice = clients.Make("frozen-alice", [nodes.First.Ws, nodes.Second.Ws], options =>
        {
            options.PingInterval = TimeSpan.FromMilliseconds(500);
            options.PongTimeout = TimeSpan.FromSeconds(3);
        });
        var bob = clients.Make("frozen-bob", nodes.Second.Ws);
        var seen = new Recorder(alice);
        await Task.WhenAll(alice.ConnectAsync(), bob.ConnectAsync());
        nodes.First.Process.Freeze();
        try
        {
            await seen.UntilAsync(s => s.States[^1] == ConnectionState.Connected && s.States.Contains(ConnectionState.Reconnecting),
                "alice reconnects");
            await bob.SendToUserAsync("frozen-alice", "chat", "on the second node");
            await seen.UntilAsync(s => s.Messages.Count == 1, "alice has bob's message");
            Assert.Equal(["on the second node"], seen.Texts);
            Assert.Equal([ConnectionState.Connecting, ConnectionState.Connected, ConnectionState.Reconnecting, ConnectionState.Connected],
                seen.States);
        }
        finally
        {
            nodes.First.Process.Thaw();
        }
    }

    [Fact]
    public async Task After_1001_the_client_goes_to_the_next_URL_and_a_send_made_while_reconnecting_waits_and_arrives_and_with_reconnect_off_it_stops()
    {
        await using var clients = new Clients();
        var alice = clients.Make("moving-alice", [nodes.First.Ws, nodes.Second.Ws]);
        var bob = clients.Make("moving-bob", nodes.Second.Ws);
        var once = clients.Make("once-carol", nodes.First.Ws, options => options.Reconnect.Enabled = false);
        var seen = new Recorder(alice);
        var bobSaw = new Recorder(bob);
        var onceSaw = new Recorder(once);
        await Task.WhenAll(alice.ConnectAsync(), bob.ConnectAsync(), once.ConnectAsync());
        var sentWhileAway = new TaskCompletionSource<Task<Ack>>(TaskCreationOptions.RunContinuationsAsynchronously);
        EventHandler<ConnectionState>? sendOnReconnecting = null;
        sendOnReconnecting = (_, state) =>
        {
            if (state != ConnectionState.Reconnecting) return;
            alice.StateChanged -= sendOnReconnecting;
            sentWhileAway.TrySetResult(alice.SendToUserAsync("moving-bob", "chat", "sent while reconnecting"));
        };
        alice.StateChanged += sendOnReconnecting;

        await nodes.First.StopAsync(); // SIGTERM: the node closes its connections with 1001
        try
        {
            await await sentWhileAway.Task.WaitAsync(Eventually.Deadline);
            await bobSaw.UntilAsync(s => s.Messages.Count == 1, "bob has the message");
            Assert.Equal(["sent while reconnecting"], bobSaw.Texts);
            Assert.Equal(ConnectionState.Connected, alice.State);
            Assert.Equal([ConnectionState.Connecting, ConnectionState.Connected, ConnectionState.Reconnecting, ConnectionState.Connected],
                seen.States);
            // History is off: the client had no position to resume from, and says so.
            Assert.Equal([new Resumed { Stream = "user", Recovered = false, Reason = "no_position" }], seen.Resumed);

            // With reconnect off, the close stops the client and says so.
            await onceSaw.UntilAsync(s => s.Errors.Count > 0, "carol stops");
            var stopped = Assert.Single(onceSaw.Errors);
            Assert.Equal(("closed", 1001, ConnectionState.Disconnected), (stopped.Code, stopped.CloseCode, once.State));
        }
        finally
        {
            await nodes.First.StartAgainAsync();
        }
    }

    [Fact]
    public async Task A_send_the_dead_connection_did_not_answer_is_sent_again_with_its_id_after_the_reconnect_and_delivered_once()
    {
        await using var clients = new Clients();
        var alice = clients.Make("resend-alice", nodes.WithHistory.Ws, options =>
        {
            options.PingInterval = TimeSpan.FromMilliseconds(500);
            options.PongTimeout = TimeSpan.FromSeconds(3);
        });
        var bob = clients.Make("resend-bob", nodes.WithHistory.Ws);
        var seen = new Recorder(bob);
        var aliceSaw = new Recorder(alice);
        await Task.WhenAll(alice.ConnectAsync(), bob.ConnectAsync());
        Task<Ack> sent;
        nodes.WithHistory.Process.Freeze();
        try
        {
            sent = alice.SendAsync(new OutgoingMessage { To = "resend-bob", Type = "chat", Data = "once", Id = "resent-1" });
            // The heartbeat gives the frozen connection up with the frame unanswered.
            await Eventually.TrueAsync(() => alice.State == ConnectionState.Reconnecting, "alice gives up the frozen connection");
        }
        finally
        {
            nodes.WithHistory.Process.Thaw();
        }
        var ack = await sent;
        Assert.Equal("resent-1", ack.Id);
        await alice.SendToUserAsync("resend-bob", "chat", "marker");
        await seen.UntilAsync(s => s.Texts.Contains("marker"), "bob has the marker");
        Assert.Equal([("once", ack.Seq), ("marker", ack.Seq + 1)], seen.Messages.Select(m => (m.Data.GetString(), m.Seq)));
        Assert.Equal([ConnectionState.Connecting, ConnectionState.Connected, ConnectionState.Reconnecting, ConnectionState.Connected],
            aliceSaw.States);
    }

    [Fact]
    public async Task After_a_rate_limit_close_the_client_backs_off_and_comes_back_and_every_send_is_answered()
    {
        await using var clients = new Clients();
        // The delay added after a rate-limit close is the setting under test: short, so that the test does not wait 5 s.
        var alice = clients.Make("flood-alice", nodes.RateLimited.Ws, options => options.Reconnect.RateLimitDelay = TimeSpan.FromMilliseconds(200));
        var seen = new Recorder(alice);
        await alice.ConnectAsync();
        var sends = Enumerable.Range(0, 20).Select(n => alice.SendToUserAsync("flood-alice", "n", n)).ToList();
        var settled = Task.WhenAll(sends.Select(send => send.ContinueWith(_ => { }, TaskScheduler.Default)));
        await settled.WaitAsync(Eventually.Deadline);
        await seen.UntilAsync(s => s.States.Contains(ConnectionState.Reconnecting), "the rate-limit close");

        Assert.Contains(sends, send => send.IsCompletedSuccessfully);
        var refused = sends.Where(send => send.IsFaulted).Select(send => send.Exception!.InnerException).ToList();
        Assert.NotEmpty(refused);
        Assert.All(refused, error => Assert.Equal("rate_limited", Assert.IsType<SwitchboardException>(error).Code));
        await Eventually.TrueAsync(() => alice.State == ConnectionState.Connected, "alice is back");
        Assert.Equal([ConnectionState.Connecting, ConnectionState.Connected, ConnectionState.Reconnecting, ConnectionState.Connected],
            seen.States.Take(4));
    }

    [Fact]
    public async Task A_resume_from_a_position_whose_history_is_gone_is_reported_as_not_recovered_with_the_new_epoch_held()
    {
        await using var clients = new Clients();
        var alice = clients.Make("resume-alice", nodes.WithHistory.Ws);
        var seen = new Recorder(alice);
        await alice.ConnectAsync();
        await alice.SendToUserAsync("resume-alice", "note", 1);
        await seen.UntilAsync(s => s.Messages.Count == 1, "alice has her note");
        var before = alice.Positions.User!;
        Assert.Equal(1, before.Seq);

        // The memory store starts every stream again under a new epoch.
        await nodes.WithHistory.StopAsync();
        await nodes.WithHistory.StartAgainAsync();
        await seen.UntilAsync(s => s.Resumed.Count > 0, "alice resumes");
        var report = Assert.Single(seen.Resumed);
        Assert.Equal("user", report.Stream);
        Assert.False(report.Recovered);
        Assert.NotEqual(before.Epoch, report.Epoch);
        Assert.Equal(new StreamPosition(report.Epoch!, report.Seq!.Value), alice.Positions.User);
    }
}

using System.Text;
using System.Text.Json;
using Switchboard.IntegrationTests.Support;
using Switchboard.Service.Settings;
using Switchboard.Streams;
using Switchboard.Streams.Outbound;

namespace Switchboard.IntegrationTests;

/// <summary>
/// A client that stops reading fills its socket buffers; each overflow setting then does what
/// it says, the other connections of the node carry on, and the slow client loses only what was counted.
/// </summary>
public sealed class OverflowTests
{
    private const int BufferSize = 8;
    private static readonly string Padding = new('x', 64 * 1024);

    private static Task<SwitchboardServer> StartAsync(Func<SwitchboardOptions, SwitchboardOptions> overflow) =>
        SwitchboardServer.StartAsync(o => overflow(o with { MessageBufferSize = BufferSize }));

    private static OutboundFrame Load(int seq) =>
        OutboundFrame.Text(Encoding.UTF8.GetBytes($$"""{"type":"load","seq":{{seq}},"pad":"{{Padding}}"}"""));

    /// <summary>A raw client with a tiny receive window that reads nothing until told to.</summary>
    private static async Task<(RawWebSocket Client, WebSocketConnection Connection)> SlowConsumerAsync(SwitchboardServer server)
    {
        var client = await RawWebSocket.ConnectAsync(server.BaseUri, "/ws?user_id=slow", receiveBuffer: 4096);
        await client.ReceiveAsync(); // welcome
        var connection = (await server.Hub.ListAsync(TimeSpan.FromSeconds(5))).Single(c => c.UserId == "slow").Connection;
        return (client, connection);
    }

    /// <summary>
    /// Offers numbered frames until the outbox answers <paramref name="stop"/>; the answer to each. First it fills
    /// the socket, a frame at a time, until the outbox counts it stalled: only then does the bound apply.
    /// </summary>
    private static async Task<List<OfferResult>> FloodUntilAsync(WebSocketConnection connection, OfferResult stop)
    {
        var results = new List<OfferResult>();
        while (!connection.Outbox.IsStalled)
        {
            results.Add(connection.Send(Load(results.Count)));
            await Task.Delay(5);
        }
        while (results.Count < 100_000)
        {
            results.Add(connection.Send(Load(results.Count)));
            if (results[^1] == stop)
                return results;
        }
        throw new InvalidOperationException($"the outbound buffer never answered {stop}");
    }

    private static IEnumerable<int> SeqsWhere(List<OfferResult> results, params OfferResult[] accepted) =>
        Enumerable.Range(0, results.Count).Where(seq => accepted.Contains(results[seq]));

    /// <summary>
    /// Reads <paramref name="count"/> load frames, then proves nothing else was queued: the answer
    /// to a ping sent afterwards is the very next frame.
    /// </summary>
    private static async Task<List<int>> ReadLoadFramesAsync(RawWebSocket client, int count)
    {
        var seqs = new List<int>();
        while (seqs.Count < count)
        {
            // The heartbeat's pings may come between the frames: they are not load.
            var frame = await client.ReceiveSkippingPingsAsync();
            Assert.NotNull(frame);
            using var json = JsonDocument.Parse(frame.Payload);
            seqs.Add(json.RootElement.GetProperty("seq").GetInt32());
        }
        await client.SendTextAsync("""{"type":"ping"}""");
        Assert.Equal("""{"type":"pong"}""", (await client.ReceiveSkippingPingsAsync())!.Text);
        return seqs;
    }

    private static async Task AssertNodeStillServesAsync(SwitchboardServer server)
    {
        await using var other = await Client.ConnectAsync(server.WebSocketUri("user_id=bystander"));
        for (var i = 0; i < 20; i++)
        {
            await other.SendAsync($$"""{"type":"ping","id":{{i}}}""");
            Assert.Equal("pong", (await other.ReceiveAsync()).GetProperty("type").GetString());
            Assert.Equal(i, (await other.ReceiveAsync()).GetProperty("id").GetInt32());
        }
    }

    [Fact]
    public async Task Drop_on_full_drops_and_counts_and_keeps_the_connection()
    {
        await using var server = await StartAsync(o => o with { DropOnFull = true, CloseOnBackpressure = false });
        var (client, connection) = await SlowConsumerAsync(server);
        await using var _ = client;

        var results = await FloodUntilAsync(connection, OfferResult.Dropped);
        for (var i = 0; i < 9; i++)
            results.Add(connection.Send(Load(results.Count)));

        var dropped = results.Count(r => r == OfferResult.Dropped);
        Assert.Equal(dropped, (await server.StatsAsync()).GetProperty("dropped").GetInt64());
        Assert.False(connection.Outbox.IsClosing);
        await AssertNodeStillServesAsync(server);

        // Once it reads again it gets every frame that was accepted, in order, and nothing else.
        var accepted = SeqsWhere(results, OfferResult.Enqueued).ToList();
        Assert.Equal(accepted, await ReadLoadFramesAsync(client, accepted.Count));
    }

    [Fact]
    public async Task Close_on_backpressure_closes_with_1013_and_counts()
    {
        await using var server = await StartAsync(o => o with { DropOnFull = true, CloseOnBackpressure = true });
        var (client, connection) = await SlowConsumerAsync(server);
        await using var _ = client;

        await FloodUntilAsync(connection, OfferResult.Closed);
        Assert.Equal(OfferResult.Closed, connection.Send(Load(-1)));
        var stats = await server.StatsAsync();
        Assert.Equal(1, stats.GetProperty("closed_slow").GetInt64());
        Assert.Equal(0, stats.GetProperty("dropped").GetInt64());
        await AssertNodeStillServesAsync(server);

        var close = await client.ReceiveCloseAsync();
        Assert.NotNull(close);
        Assert.Equal(1013, close.CloseCode);
    }

    [Fact]
    public async Task Waiting_senders_are_delivered_in_order_when_room_comes_within_the_timeout()
    {
        await using var server = await StartAsync(o => o with
        {
            DropOnFull = false, CloseOnBackpressure = false, SendTimeout = TimeSpan.FromMinutes(5),
        });
        var (client, connection) = await SlowConsumerAsync(server);
        await using var _ = client;

        // Only when the waiting room is full too is a message dropped at once.
        var results = await FloodUntilAsync(connection, OfferResult.Dropped);
        Assert.Contains(OfferResult.Waiting, results);

        var accepted = SeqsWhere(results, OfferResult.Enqueued, OfferResult.Waiting).ToList();
        Assert.Equal(accepted, await ReadLoadFramesAsync(client, accepted.Count));
        Assert.Equal(1, (await server.StatsAsync()).GetProperty("dropped").GetInt64());
    }

    [Fact]
    public async Task Waiting_senders_drop_after_the_send_timeout_and_the_connection_stays()
    {
        await using var server = await StartAsync(o => o with
        {
            DropOnFull = false, CloseOnBackpressure = false, SendTimeout = TimeSpan.FromMilliseconds(50),
        });
        var (client, connection) = await SlowConsumerAsync(server);
        await using var _ = client;

        // Keep offering until one waiting message has timed out, that is, more were dropped
        // than the offers that were refused at once.
        var results = await FloodUntilAsync(connection, OfferResult.Dropped);
        await Eventually.TrueAsync(async () =>
        {
            results.Add(connection.Send(Load(results.Count)));
            var droppedAtOnce = results.Count(r => r == OfferResult.Dropped);
            return (await server.StatsAsync()).GetProperty("dropped").GetInt64() > droppedAtOnce;
        }, "a waiting message times out");
        // With the client still not reading, everything left waiting times out too.
        await Eventually.TrueAsync(() => connection.Outbox.Waiting == 0, "nothing waits any more");
        Assert.False(connection.Outbox.IsClosing);
        await AssertNodeStillServesAsync(server);

        var dropped = (await server.StatsAsync()).GetProperty("dropped").GetInt64();
        var received = await ReadLoadFramesAsync(client, results.Count - (int)dropped);
        Assert.Equal(received.Order(), received);
    }

    [Fact]
    public async Task Waiting_senders_close_with_1013_when_configured()
    {
        await using var server = await StartAsync(o => o with
        {
            DropOnFull = false, CloseOnBackpressure = true, SendTimeout = TimeSpan.FromMilliseconds(50),
        });
        var (client, connection) = await SlowConsumerAsync(server);
        await using var _ = client;

        var results = await FloodUntilAsync(connection, OfferResult.Closed);
        Assert.Contains(OfferResult.Waiting, results);
        Assert.Equal(1, (await server.StatsAsync()).GetProperty("closed_slow").GetInt64());
        await AssertNodeStillServesAsync(server);

        var close = await client.ReceiveCloseAsync();
        Assert.NotNull(close);
        Assert.Equal(1013, close.CloseCode);
    }
}

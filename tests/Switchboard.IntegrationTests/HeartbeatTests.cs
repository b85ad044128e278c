using System.Net.Sockets;
using System.Text;
using Switchboard.IntegrationTests.Support;
using static Switchboard.IntegrationTests.Support.RawWebSocket;

namespace Switchboard.IntegrationTests;

/// <summary>
/// Protocol pings from the node's ping scheduler (EnableGlobalPing=1) or from each connection's
/// keep-alive stage (0): the same behaviour either way.
/// </summary>
public sealed class HeartbeatTests
{
    // A timeout of four intervals leaves a pong three seconds to be processed, even on a busy CI machine.
    private static Task<SwitchboardServer> StartAsync(bool globalPing) => SwitchboardServer.StartAsync(o => o with
    {
        EnableGlobalPing = globalPing,
        HeartbeatInterval = TimeSpan.FromSeconds(1),
        ConnectionTimeout = TimeSpan.FromSeconds(4),
    });

    private static async Task<RawWebSocket> ConnectAsync(SwitchboardServer server, string user)
    {
        var client = await RawWebSocket.ConnectAsync(server.BaseUri, $"/ws?user_id={user}");
        Assert.Equal(101, client.Status);
        Assert.Contains("welcome", (await client.ReceiveAsync())!.Text);
        return client;
    }

    /// <summary>Answers protocol pings, as a browser does, until <paramref name="count"/> have come.</summary>
    private static async Task AnswerPingsAsync(RawWebSocket client, int count)
    {
        for (var seen = 0; seen < count;)
        {
            var frame = await client.ReceiveAsync();
            Assert.NotNull(frame);
            Assert.Equal(Ping, frame.Opcode);
            await client.SendFrameAsync(Pong, frame.Payload);
            seen++;
        }
    }

    private static async Task AssertStillServedAsync(RawWebSocket client)
    {
        await client.SendTextAsync("""{"type":"ping"}""");
        Assert.Equal("""{"type":"pong"}""", (await client.ReceiveSkippingPingsAsync())!.Text);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Client_that_answers_pings_stays_connected_past_several_timeouts(bool globalPing)
    {
        await using var server = await StartAsync(globalPing);
        await using var client = await ConnectAsync(server, "answers");

        await AnswerPingsAsync(client, 9); // nine intervals: more than two connection timeouts
        await AssertStillServedAsync(client);
        Assert.Equal(0, (await server.StatsAsync()).GetProperty("timeouts").GetInt64());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Client_that_never_answers_is_closed_with_4408_and_counted(bool globalPing)
    {
        await using var server = await StartAsync(globalPing);
        await using var client = await ConnectAsync(server, "silent");

        var close = await client.ReceiveCloseAsync(); // reads the pings without answering them
        Assert.NotNull(close);
        Assert.Equal(4408, close.CloseCode);
        Assert.Equal("ping timeout", close.CloseReason);
        Assert.Equal(1, (await server.StatsAsync()).GetProperty("timeouts").GetInt64());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Application_pings_keep_a_connection_alive_without_protocol_pongs(bool globalPing)
    {
        await using var server = await StartAsync(globalPing);
        await using var client = await ConnectAsync(server, "app-pinger");

        // After each protocol ping (left unanswered) the client sends an application ping.
        for (var pings = 0; pings < 9;)
        {
            var frame = await client.ReceiveAsync();
            Assert.NotNull(frame);
            if (frame.Opcode == Ping)
            {
                pings++;
                await client.SendTextAsync("""{"type":"ping"}""");
            }
            else
            {
                Assert.Equal("""{"type":"pong"}""", frame.Text);
            }
        }
        await AssertStillServedAsync(client);
        Assert.Equal(0, (await server.StatsAsync()).GetProperty("timeouts").GetInt64());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Five_thousand_connections_all_see_pings_and_none_is_reaped(bool globalPing)
    {
        const int count = 5000, pingsEach = 3;
        await using var server = await StartAsync(globalPing);
        var clients = new RawWebSocket[count];
        var pinged = new int[count];
        var allPinged = new TaskCompletionSource();
        var remaining = count;
        using var gate = new SemaphoreSlim(64);

        // Every client answers pings from the moment it connects until the test ends.
        var answering = Enumerable.Range(0, count).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                clients[i] = await ConnectAsync(server, $"crowd-{i}");
            }
            finally
            {
                gate.Release();
            }
            while (await clients[i].ReceiveAsync() is { Opcode: Ping } ping)
            {
                await clients[i].SendFrameAsync(Pong, ping.Payload);
                if (++pinged[i] == pingsEach && Interlocked.Decrement(ref remaining) == 0)
                    allPinged.SetResult();
            }
        }).ToList();

        await allPinged.Task.WaitAsync(TimeSpan.FromMinutes(2));
        var stats = await server.StatsAsync();
        Assert.Equal(count, stats.GetProperty("connections").GetInt64());
        Assert.Equal(0, stats.GetProperty("timeouts").GetInt64());

        foreach (var client in clients)
            await client.DisposeAsync();
        await Task.WhenAll(answering.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));
    }

    [Fact]
    public async Task Upgrade_request_that_never_completes_is_dropped_after_the_handshake_timeout()
    {
        await using var server = await SwitchboardServer.StartAsync(o => o with { HandshakeTimeout = TimeSpan.FromSeconds(1) });
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.BaseUri.Host, server.BaseUri.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes("GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"));

        // The server gives up on the request: it answers 408 and closes, or just closes.
        using var guard = new CancellationTokenSource(Eventually.Deadline);
        var buffer = new byte[4096];
        var answer = new StringBuilder();
        int read;
        while ((read = await stream.ReadAsync(buffer, guard.Token)) > 0)
            answer.Append(Encoding.ASCII.GetString(buffer, 0, read));
        Assert.True(answer.Length == 0 || answer.ToString().StartsWith("HTTP/1.1 408"), answer.ToString());
    }
}

using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Switchboard.IntegrationTests.Support;
using static Switchboard.IntegrationTests.Support.RawWebSocket;

namespace Switchboard.IntegrationTests;

/// <summary>
/// PROTOCOL.md "Limits per client": each attack made with raw frames is refused, the node's own counters stay
/// bounded, and the node goes on serving. Each test starts its own node, so that the counters are its alone.
/// </summary>
public sealed class ClientBoundsTests
{
    private static async Task<RawWebSocket> ConnectAsync(SwitchboardServer server, string query, int receiveBuffer = 0)
    {
        var client = await RawWebSocket.ConnectAsync(server.BaseUri, $"/ws?{query}", receiveBuffer: receiveBuffer);
        Assert.Equal(101, client.Status);
        Assert.Contains("welcome", (await client.ReceiveAsync())!.Text);
        return client;
    }

    private static async Task<long> StatAsync(SwitchboardServer server, string name) =>
        (await server.StatsAsync()).GetProperty(name).GetInt64();

    private static async Task<(string Type, string? Code)> AnswerAsync(RawWebSocket client) => (await IdentifiedAnswerAsync(client)).Answer;

    private static async Task<(string Id, (string Type, string? Code) Answer)> IdentifiedAnswerAsync(RawWebSocket client)
    {
        using var answer = JsonDocument.Parse((await client.ReceiveAsync())!.Payload);
        var root = answer.RootElement;
        return (root.GetProperty("id").GetRawText(), (root.GetProperty("type").GetString()!,
            root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object ? data.GetProperty("code").GetString() : null));
    }

    [Fact]
    public async Task Joins_past_the_groups_bound_get_too_many_groups_and_make_no_groups()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await using var client = await ConnectAsync(server, "user_id=joiner");

        // 1,128 joins at once, pipelined: the first 128 are taken, every later one refused (acks come from the
        // group entities, refusals at once, so the answers arrive in any order).
        var joins = new MemoryStream();
        for (var i = 0; i < 1_128; i++)
            joins.Write(Frame(Text, Encoding.UTF8.GetBytes($$"""{"type":"join","group":"g{{i}}","id":{{i}}}""")));
        await client.SendRawAsync(joins.ToArray());
        var answers = new Dictionary<string, (string Type, string? Code)>();
        for (var i = 0; i < 1_128; i++)
        {
            var (id, answer) = await IdentifiedAnswerAsync(client);
            answers.Add(id, answer);
        }

        Assert.All(Enumerable.Range(0, 128), i => Assert.Equal(("ack", null), answers[$"{i}"]));
        Assert.All(Enumerable.Range(128, 1_000), i => Assert.Equal(("error", "too_many_groups"), answers[$"{i}"]));
        Assert.Equal(128, await StatAsync(server, "groups"));
        Assert.Equal(1_000, (await server.StatsAsync()).GetProperty("errors").GetProperty("too_many_groups").GetInt64());

        // Joining a group it is in again is no new group; leaving makes room for another.
        await client.SendTextAsync("""{"type":"join","group":"g0","id":"again"}""");
        Assert.Equal(("ack", null), await AnswerAsync(client));
        await client.SendTextAsync("""{"type":"leave","group":"g0","id":"leave"}""");
        Assert.Equal(("ack", null), await AnswerAsync(client));
        await client.SendTextAsync("""{"type":"join","group":"other","id":"other"}""");
        Assert.Equal(("ack", null), await AnswerAsync(client));
        Assert.Equal(128, await StatAsync(server, "groups"));
    }

    [Fact]
    public async Task More_groups_at_connect_than_the_bound_are_refused_before_the_upgrade()
    {
        await using var server = await SwitchboardServer.StartAsync();
        var groups = string.Join(",", Enumerable.Range(0, 129).Select(i => $"g{i}"));
        await using var refused = await RawWebSocket.ConnectAsync(server.BaseUri, $"/ws?user_id=many&groups={groups}");

        Assert.Equal(400, refused.Status);
        Assert.Equal("too_many_groups", JsonDocument.Parse(refused.Body).RootElement.GetProperty("error").GetString());
        Assert.Equal(0, await StatAsync(server, "connections"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Connections_past_the_bound_per_user_get_429_on_either_upgrade_path(bool transportUpgrades)
    {
        await using var server = await SwitchboardServer.StartAsync(o => o with { MaxConnectionsPerUser = 2 },
            transportUpgrades: transportUpgrades);
        var first = await ConnectAsync(server, "user_id=alice");
        await using var second = await ConnectAsync(server, "user_id=alice");
        await using var other = await ConnectAsync(server, "user_id=bob");

        await using (var refused = await RawWebSocket.ConnectAsync(server.BaseUri, "/ws?user_id=alice"))
        {
            Assert.Equal(429, refused.Status);
            Assert.Equal("too_many_connections", JsonDocument.Parse(refused.Body).RootElement.GetProperty("error").GetString());
        }

        // A place comes back when one of the user's connections has gone.
        await first.DisposeAsync();
        await Eventually.TrueAsync(async () => await StatAsync(server, "connections") == 2, "the first connection is gone");
        await using var again = await ConnectAsync(server, "user_id=alice");
    }

    [Fact]
    public async Task Connections_past_the_bound_per_client_address_get_429()
    {
        await using var server = await SwitchboardServer.StartAsync(o => o with { MaxConnectionsPerIp = 3 });
        var clients = new List<RawWebSocket>();
        for (var i = 0; i < 3; i++)
            clients.Add(await ConnectAsync(server, $"user_id=u{i}"));

        await using (var refused = await RawWebSocket.ConnectAsync(server.BaseUri, "/ws?user_id=u3"))
        {
            Assert.Equal(429, refused.Status);
            Assert.Equal("too_many_connections", JsonDocument.Parse(refused.Body).RootElement.GetProperty("error").GetString());
        }
        Assert.Equal(3, await StatAsync(server, "connections"));
        foreach (var client in clients)
            await client.DisposeAsync();
    }

    [Fact]
    public async Task Endless_empty_continuation_frames_close_the_connection_with_1009()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await using var client = await ConnectAsync(server, "user_id=fragments");

        await client.SendFrameAsync(Text, "{"u8.ToArray(), fin: false);
        var empty = Frame(Continuation, [], fin: false);
        var flood = new byte[empty.Length * 200_000];
        for (var at = 0; at < flood.Length; at += empty.Length)
            empty.CopyTo(flood, at);
        try
        {
            await client.SendRawAsync(flood);
        }
        catch (IOException)
        {
            // the node closed the connection before the flood was all sent
        }

        var close = await client.ReceiveCloseAsync();
        Assert.NotNull(close);
        Assert.Equal(1009, close.CloseCode);
        Assert.Equal(1, (await server.StatsAsync()).GetProperty("errors").GetProperty("close_1009").GetInt64());
        await Eventually.TrueAsync(async () => await StatAsync(server, "connections") == 0, "the connection is gone");
    }

    [Fact]
    public async Task Pings_from_a_client_that_never_reads_owe_it_one_pong()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await using var client = await ConnectAsync(server, "user_id=pinger", receiveBuffer: 4096);

        const int pings = 300_000;
        var flood = new MemoryStream();
        for (var i = 0; i < pings; i++)
        {
            var payload = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(payload, i);
            flood.Write(Frame(Ping, payload));
        }
        await client.SendRawAsync(flood.ToArray());
        // Every ping has been read once a message sent after them is answered; the client still reads nothing.
        await client.SendTextAsync("""{"type":"ping","id":"last"}""");
        await Eventually.TrueAsync(async () => await StatAsync(server, "messages_in") == 1, "the node has read every ping");
        Assert.InRange(await StatAsync(server, "control_frames_queued"), 0, 1);

        // Reading again, the client gets pongs and, last of them, the answer to its newest ping.
        var lastPong = -1;
        while (true)
        {
            var frame = (await client.ReceiveAsync())!;
            if (frame.Opcode == Pong)
                lastPong = BinaryPrimitives.ReadInt32BigEndian(frame.Payload);
            else if (frame.Opcode == Text && frame.Text.Contains("\"ack\""))
                break;
        }
        Assert.Equal(pings - 1, lastPong);
        Assert.Equal(0, await StatAsync(server, "control_frames_queued"));
    }
}

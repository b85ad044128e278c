using System.Net.WebSockets;
using System.Text.Json;
using Switchboard.IntegrationTests.Support;

namespace Switchboard.IntegrationTests;

/// <summary>The connection part of PROTOCOL.md with a real WebSocket client.</summary>
public sealed class ProtocolTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{

    private Task<Client> ConnectAsync(string query = "user_id=alice", Action<ClientWebSocketOptions>? configure = null) =>
        Client.ConnectAsync(fixture.Server.WebSocketUri(query), configure);

    private static JsonElement ErrorData(JsonElement frame)
    {
        Assert.Equal("error", frame.GetProperty("type").GetString());
        return frame.GetProperty("data");
    }

    [Fact]
    public async Task Welcome_names_the_user_the_connection_and_the_node()
    {
        await using var client = await ConnectAsync();
        var data = client.Welcome.GetProperty("data");
        Assert.Equal("alice", data.GetProperty("user_id").GetString());
        Assert.False(string.IsNullOrEmpty(data.GetProperty("connection_id").GetString()));
        Assert.Equal(fixture.Server.Hub.Node, data.GetProperty("node").GetString());
    }

    [Fact]
    public async Task User_id_comes_from_the_header_when_the_query_has_none()
    {
        await using var client = await ConnectAsync("", o => o.SetRequestHeader("X-User-ID", "bob"));
        Assert.Equal("bob", client.UserId);
    }

    [Fact]
    public async Task Query_user_id_wins_over_the_header()
    {
        await using var client = await ConnectAsync("user_id=carol", o => o.SetRequestHeader("X-User-ID", "bob"));
        Assert.Equal("carol", client.UserId);
    }

    [Fact]
    public async Task Connection_without_a_user_id_gets_a_generated_one()
    {
        await using var first = await ConnectAsync("");
        await using var second = await ConnectAsync("");
        Assert.StartsWith("anon-", first.UserId);
        Assert.NotEqual(first.UserId, second.UserId);
    }

    [Fact]
    public async Task Connections_get_distinct_ids()
    {
        await using var first = await ConnectAsync();
        await using var second = await ConnectAsync();
        Assert.NotEqual(first.ConnectionId, second.ConnectionId);
    }

    [Fact]
    public async Task Ping_gets_pong_and_an_ack_for_its_id()
    {
        await using var client = await ConnectAsync();
        await client.SendAsync("""{"type":"ping","id":"p-1"}""");
        Assert.Equal("pong", (await client.ReceiveAsync()).GetProperty("type").GetString());
        var ack = await client.ReceiveAsync();
        Assert.Equal("ack", ack.GetProperty("type").GetString());
        Assert.Equal("p-1", ack.GetProperty("id").GetString());
    }

    [Fact]
    public async Task Ping_without_an_id_gets_no_ack()
    {
        await using var client = await ConnectAsync();
        await client.SendAsync("""{"type":"ping"}""");
        await client.SendAsync("""{"type":"ping","id":2}""");
        Assert.Equal("pong", (await client.ReceiveAsync()).GetProperty("type").GetString());
        Assert.Equal("pong", (await client.ReceiveAsync()).GetProperty("type").GetString());
        Assert.Equal(2, (await client.ReceiveAsync()).GetProperty("id").GetInt32());
    }

    [Theory]
    [InlineData("not json", "invalid_json")]
    [InlineData("[1,2]", "invalid_json")]
    [InlineData("""{"data":1}""", "missing_field")]
    [InlineData("""{"type":7}""", "invalid_field")]
    public async Task Bad_frame_gets_an_error_frame_and_the_connection_stays_open(string frame, string code)
    {
        await using var client = await ConnectAsync();
        await client.SendAsync(frame);
        var error = ErrorData(await client.ReceiveAsync());
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));

        await client.SendAsync("""{"type":"ping"}""");
        Assert.Equal("pong", (await client.ReceiveAsync()).GetProperty("type").GetString());
    }

    [Fact]
    public async Task Error_frame_echoes_the_id_of_the_frame_it_answers()
    {
        await using var client = await ConnectAsync();
        await client.SendAsync("""{"id":{"n":42},"data":true}""");
        var error = await client.ReceiveAsync();
        Assert.Equal(42, error.GetProperty("id").GetProperty("n").GetInt32());
        Assert.Equal("missing_field", ErrorData(error).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Oversized_message_closes_with_1009()
    {
        await using var client = await ConnectAsync();
        await client.SendAsync($$"""{"type":"ping","data":"{{new string('x', Switchboard.Streams.ConnectionOptions.DefaultMaxMessageSize)}}"}""");
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, await client.ReceiveCloseAsync());
    }

    [Fact]
    public async Task Client_close_is_answered_and_the_connection_leaves_the_node()
    {
        var client = await ConnectAsync("user_id=leaver");
        await client.Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, client.Socket.CloseStatus);
        await Eventually.TrueAsync(async () => (await fixture.Server.Hub.ListAsync(TimeSpan.FromSeconds(5))).All(c => c.UserId != "leaver"),
            "the node forgets the connection");
        await client.DisposeAsync();
    }

    [Fact]
    public async Task Stats_count_this_nodes_traffic()
    {
        var before = await fixture.Server.StatsAsync();
        await using var client = await ConnectAsync("user_id=counted");
        await client.SendAsync("""{"type":"ping"}""");
        await client.ReceiveAsync();
        await client.SendAsync("nope");
        await client.ReceiveAsync();

        var after = await fixture.Server.StatsAsync();
        Assert.True(after.GetProperty("connections").GetInt64() >= 1);
        Assert.True(after.GetProperty("users").GetInt64() >= 1);
        Assert.True(after.GetProperty("messages_in").GetInt64() >= before.GetProperty("messages_in").GetInt64() + 2);
        // welcome, pong, error
        Assert.True(after.GetProperty("messages_out").GetInt64() >= before.GetProperty("messages_out").GetInt64() + 3);
        Assert.True(after.GetProperty("bytes_in").GetInt64() > before.GetProperty("bytes_in").GetInt64());
        Assert.True(after.GetProperty("errors").GetProperty("invalid_json").GetInt64() >= 1);
        foreach (var field in new[] { "groups", "dropped", "closed_slow", "node", "uptime_seconds", "bytes_out" })
            Assert.True(after.TryGetProperty(field, out _), field);
    }

    [Fact]
    public async Task Health_reports_ok_while_serving()
    {
        var response = await fixture.Server.Http.GetAsync("/ws/health");
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("ok", body.GetProperty("status").GetString());
    }
}

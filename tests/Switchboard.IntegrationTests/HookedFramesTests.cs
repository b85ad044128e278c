using System.Text.Json;
using Switchboard.IntegrationTests.Support;

namespace Switchboard.IntegrationTests;

/// <summary>
/// The join, publish and rpc hooks (PROTOCOL.md "Application hooks") against a real backend process: what it allows, rewrites
/// and refuses, and the order a connection's frames keep while one waits for its hook.
/// </summary>
public sealed class HookedFramesTests(HookedServer hooked) : IClassFixture<HookedServer>
{
    private SwitchboardServer Server => hooked.Server;
    private TestBackend Backend => hooked.Backend;

    // Joined with a join frame, which asks the join hook (and acks with its data).
    private async Task<Client> ConnectAsync(string user, string? group = null)
    {
        var client = await Client.ConnectAsync(Server.WebSocketUri($"user_id={user}"));
        if (group is not null)
            Assert.Equal("ack", (await Frames.AnswerAsync(client, $$"""{"type":"join","group":"{{group}}","id":"join"}""", "join"))
                .GetProperty("type").GetString());
        return client;
    }

    private static JsonElement Data(JsonElement frame) => frame.GetProperty("data");

    [Fact]
    public async Task A_join_the_application_allows_is_acked_with_its_data_and_one_it_refuses_gets_its_error()
    {
        await using var ann = await ConnectAsync("join-ann");
        var ack = await Frames.AnswerAsync(ann, """{"type":"join","group":"hooked:lobby","id":"j1"}""", "j1");
        Assert.Equal("ack", ack.GetProperty("type").GetString());
        Assert.Equal("hooked:lobby", Data(ack).GetProperty("app").GetProperty("welcome").GetString());

        var refused = await Frames.AnswerAsync(ann, """{"type":"join","group":"hooked:deny-vip","id":"j2"}""", "j2");
        Assert.Equal(("error", "not_invited", "ask for an invitation"), (refused.GetProperty("type").GetString(),
            Data(refused).GetProperty("code").GetString(), Data(refused).GetProperty("message").GetString()));
        // Not a member: a message to the group from the HTTP API does not reach ann, a message to the lobby does.
        await Server.Http.PostAsync("/ws/message", Json("""{"group":"hooked:deny-vip","type":"vip","data":1}"""));
        await Server.Http.PostAsync("/ws/message", Json("""{"group":"hooked:lobby","type":"lobby","data":2}"""));
        Assert.Equal("lobby", (await Frames.NextAsync(ann)).GetProperty("type").GetString());

        var asked = await Backend.CallsAsync("join");
        Assert.Contains(asked, c => c.GetProperty("body").GetProperty("group").GetString() == "hooked:lobby"
            && c.GetProperty("body").GetProperty("user_id").GetString() == "join-ann" && c.GetProperty("signature_valid").GetBoolean());
    }

    [Fact]
    public async Task A_group_named_at_connect_asks_the_join_hook_as_a_join_frame_would()
    {
        await using var refused = await RawWebSocket.ConnectAsync(Server.BaseUri, "/ws?user_id=connect-joiner&groups=plain:a,hooked:deny-b");
        Assert.Equal(403, refused.Status);
        var body = JsonDocument.Parse(refused.Body).RootElement;
        Assert.Equal(("not_invited", "ask for an invitation"), (body.GetProperty("error").GetString(), body.GetProperty("message").GetString()));

        await using var ann = await Client.ConnectAsync(Server.WebSocketUri("user_id=connect-joiner&groups=plain:a,hooked:c"));
        var asked = (await Backend.CallsAsync("join")).Select(c => c.GetProperty("body"))
            .Where(b => b.GetProperty("user_id").GetString() == "connect-joiner").ToList();
        // Only the hooked namespace's groups were asked about, each once, the second time by the id the connection then had.
        Assert.Equal(["hooked:deny-b", "hooked:c"], asked.Select(b => b.GetProperty("group").GetString()));
        Assert.Equal(ann.ConnectionId, asked[1].GetProperty("connection_id").GetString());
        await Server.Http.PostAsync("/ws/message", Json("""{"group":"hooked:c","type":"in","data":1}"""));
        Assert.Equal("hooked:c", (await Frames.NextOfTypeAsync(ann, "in")).GetProperty("group").GetString());
    }

    [Fact]
    public async Task Groups_of_a_namespace_without_the_hook_ask_nobody()
    {
        await using var ann = await ConnectAsync("plain-ann");
        var ack = await Frames.AnswerAsync(ann, """{"type":"join","group":"plain:room","id":"j"}""", "j");
        Assert.Equal("ack", ack.GetProperty("type").GetString());
        await Frames.AnswerAsync(ann, """{"type":"note","group":"plain:room","data":"deny","id":"m"}""", "m");
        Assert.DoesNotContain(await Backend.CallsAsync(), c => c.GetProperty("body").TryGetProperty("group", out var g)
            && g.GetString() == "plain:room");
    }

    [Fact]
    public async Task A_group_message_is_delivered_as_sent_with_the_applications_data_or_not_at_all()
    {
        await using var ann = await ConnectAsync("pub-ann", "hooked:pub");
        await using var ben = await ConnectAsync("pub-ben", "hooked:pub");

        Assert.Equal("ack", (await Frames.AnswerAsync(ann, """{"type":"chat","group":"hooked:pub","data":"rewrite","id":"m1"}""", "m1"))
            .GetProperty("type").GetString());
        var denied = await Frames.AnswerAsync(ann, """{"type":"chat","group":"hooked:pub","data":"deny","id":"m2"}""", "m2");
        Assert.Equal(("moderated", "not here"), (Data(denied).GetProperty("code").GetString(), Data(denied).GetProperty("message").GetString()));
        await Frames.AnswerAsync(ann, """{"type":"chat","group":"hooked:pub","data":{"text":"hello"},"id":"m3"}""", "m3");

        var first = await Frames.NextOfTypeAsync(ben, "chat");
        Assert.Equal(("rewritten", "pub-ann"), (Data(first).GetString(), first.GetProperty("from").GetString()));
        // The refused message never came: the next one ben sees is the third.
        Assert.Equal("hello", Data(await Frames.NextOfTypeAsync(ben, "chat")).GetProperty("text").GetString());

        var published = (await Backend.CallsAsync("publish")).Select(c => c.GetProperty("body"))
            .Where(b => b.GetProperty("user_id").GetString() == "pub-ann").ToList();
        Assert.Equal(3, published.Count);
        Assert.All(published, b => Assert.Equal(("chat", "hooked:pub"), (b.GetProperty("type").GetString(), b.GetProperty("group").GetString())));
        Assert.Equal("m1", published[0].GetProperty("id").GetString());
    }

    [Fact]
    public async Task A_direct_message_goes_through_the_hook_with_Publish_Direct()
    {
        await using var ann = await ConnectAsync("direct-ann");
        await using var ben = await ConnectAsync("direct-ben");
        await Frames.AnswerAsync(ann, """{"type":"dm","to":"direct-ben","data":"rewrite","id":"d1"}""", "d1");
        var denied = await Frames.AnswerAsync(ann, """{"type":"dm","to":"direct-ben","data":"deny","id":"d2"}""", "d2");
        Assert.Equal("moderated", Data(denied).GetProperty("code").GetString());
        await Frames.AnswerAsync(ann, """{"type":"dm","to":"direct-ben","data":"last","id":"d3"}""", "d3");

        Assert.Equal("rewritten", Data(await Frames.NextOfTypeAsync(ben, "dm")).GetString());
        Assert.Equal("last", Data(await Frames.NextOfTypeAsync(ben, "dm")).GetString());
        var body = (await Backend.CallsAsync("publish")).Select(c => c.GetProperty("body"))
            .First(b => b.GetProperty("user_id").GetString() == "direct-ann");
        Assert.Equal("direct-ben", body.GetProperty("to").GetString());
        Assert.False(body.TryGetProperty("group", out _));
    }

    [Fact]
    public async Task A_slow_hook_lets_no_later_frame_of_the_connection_overtake()
    {
        await using var ann = await ConnectAsync("order-ann", "hooked:order");
        await using var ben = await ConnectAsync("order-ben", "hooked:order");
        // The first waits 1.5 s at the backend; a message, a join and an rpc sent behind it wait for it.
        await ann.SendAsync("""{"type":"chat","group":"hooked:order","data":{"slow":1500,"n":1},"id":"o1"}""");
        await ann.SendAsync("""{"type":"chat","group":"hooked:order","data":{"n":2},"id":"o2"}""");
        await ann.SendAsync("""{"type":"join","group":"hooked:after","id":"o3"}""");
        await ann.SendAsync("""{"type":"rpc","id":"o4","data":{"method":"echo","params":{"n":4}}}""");
        await ann.SendAsync("""{"type":"chat","group":"plain:elsewhere","data":{"n":5},"id":"o5"}""");

        var answered = new List<string>();
        while (answered.Count < 5)
        {
            var frame = await Frames.NextAsync(ann);
            if (frame.TryGetProperty("id", out var id))
                answered.Add(id.GetString()!);
        }
        Assert.Equal(["o1", "o2", "o3", "o4", "o5"], answered.Order());
        Assert.True(answered.IndexOf("o1") < answered.IndexOf("o2"), string.Join(",", answered));
        // The application was asked in the order the frames were sent: nothing overtook the slow call.
        var asked = (await Backend.CallsAsync()).Select(c => (Hook: c.GetProperty("hook").GetString(), Body: c.GetProperty("body")))
            .Where(c => c.Body.GetProperty("user_id").GetString() == "order-ann" && c.Hook != "join" || c.Body.TryGetProperty("group", out var g)
                && g.GetString() == "hooked:after")
            .Select(c => c.Hook == "publish" ? $"publish {c.Body.GetProperty("id").GetString()}" : c.Hook!).ToList();
        Assert.Equal(["publish o1", "publish o2", "join", "rpc"], asked);
        Assert.Equal(1, Data(await Frames.NextOfTypeAsync(ben, "chat")).GetProperty("n").GetInt32());
        Assert.Equal(2, Data(await Frames.NextOfTypeAsync(ben, "chat")).GetProperty("n").GetInt32());
    }

    [Fact]
    public async Task A_ping_is_answered_while_a_hook_waits_until_32_frames_wait_then_the_socket_is_not_read()
    {
        await using var ann = await ConnectAsync("held-ann", "hooked:held");
        // A few frames behind a slow rpc: the ping sent after them is read and answered before the rpc's result.
        await ann.SendAsync("""{"type":"rpc","id":"h0","data":{"method":"slow","params":{"ms":1500}}}""");
        for (var i = 1; i <= 3; i++)
            await ann.SendAsync($$"""{"type":"chat","group":"hooked:held","data":{"n":{{i}}},"id":"h{{i}}"}""");
        await ann.SendAsync("""{"type":"ping"}""");
        Assert.Equal("pong", (await ann.ReceiveAsync()).GetProperty("type").GetString());
        Assert.Equal("rpc_result", (await ann.ReceiveAsync()).GetProperty("type").GetString());
        await DrainAsync(ann, "h3");

        // With 32 frames held the node reads no more: the ping behind them is read only once the rpc has its result.
        await ann.SendAsync("""{"type":"rpc","id":"s0","data":{"method":"slow","params":{"ms":1500}}}""");
        var held = ConnectionSessionMaxHeld + 4;
        for (var i = 1; i <= held; i++)
            await ann.SendAsync($$"""{"type":"chat","group":"hooked:held","data":{"n":{{i}}},"id":"s{{i}}"}""");
        await ann.SendAsync("""{"type":"ping"}""");
        Assert.Equal("rpc_result", (await ann.ReceiveAsync()).GetProperty("type").GetString());
        var acks = new List<string>();
        var ponged = false;
        while (!ponged || acks.Count < held)
        {
            var frame = await ann.ReceiveAsync();
            if (frame.GetProperty("type").GetString() == "pong")
                ponged = true;
            else if (frame.GetProperty("type").GetString() == "ack")
                acks.Add(frame.GetProperty("id").GetString()!);
        }
        // Every frame was handled, in order; none was lost to the pause.
        Assert.Equal(Enumerable.Range(1, held).Select(i => $"s{i}"), acks);
    }

    private const int ConnectionSessionMaxHeld = Switchboard.Actors.Hub.ConnectionSession.MaxHeld;

    private static async Task DrainAsync(Client client, string lastId)
    {
        while (true)
        {
            var frame = await client.ReceiveAsync();
            if (frame.TryGetProperty("id", out var id) && id.GetString() == lastId)
                return;
        }
    }

    [Fact]
    public async Task An_rpc_is_answered_with_the_applications_result_or_its_error()
    {
        await using var ann = await ConnectAsync("rpc-ann");
        var result = await Frames.AnswerAsync(ann, """{"type":"rpc","id":"r1","data":{"method":"echo","params":{"q":[1,2]}}}""", "r1");
        Assert.Equal("rpc_result", result.GetProperty("type").GetString());
        Assert.Equal(("echo", 2, "rpc-ann"), (Data(result).GetProperty("method").GetString(),
            Data(result).GetProperty("params").GetProperty("q")[1].GetInt32(), Data(result).GetProperty("user_id").GetString()));

        var error = await Frames.AnswerAsync(ann, """{"type":"rpc","id":"r2","data":{"method":"nope"}}""", "r2");
        Assert.Equal(("error", "no_method"), (error.GetProperty("type").GetString(), Data(error).GetProperty("code").GetString()));
    }

    [Theory]
    [InlineData("""{"type":"rpc","data":{"method":"echo"}}""", "missing_field")]
    [InlineData("""{"type":"rpc","id":"x","data":{"params":1}}""", "missing_field")]
    [InlineData("""{"type":"rpc","id":"x","data":{"method":7}}""", "missing_field")]
    [InlineData("""{"type":"rpc","id":"x","data":"echo"}""", "missing_field")]
    public async Task A_malformed_rpc_gets_an_error_and_asks_nobody(string frame, string code)
    {
        await using var ann = await ConnectAsync("bad-rpc-" + Guid.NewGuid().ToString("N")[..6]);
        await ann.SendAsync(frame);
        var error = await Frames.NextOfTypeAsync(ann, "error");
        Assert.Equal(code, Data(error).GetProperty("code").GetString());
        Assert.DoesNotContain(await Backend.CallsAsync("rpc"), c => c.GetProperty("body").GetProperty("user_id").GetString() == ann.UserId);
    }

    private static StringContent Json(string json) => new(json, System.Text.Encoding.UTF8, "application/json");
}

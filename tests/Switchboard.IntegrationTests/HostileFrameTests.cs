using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Switchboard.IntegrationTests.Support;
using static Switchboard.IntegrationTests.Support.RawWebSocket;

namespace Switchboard.IntegrationTests;

/// <summary>A node that keeps history: what it refuses is never kept either.</summary>
public sealed class HistoryServerFixture : ServerFixture
{
    protected override Func<Service.Settings.SwitchboardOptions, Service.Settings.SwitchboardOptions> Configure =>
        o => o with { HistorySize = 100 };
}

/// <summary>
/// Attacks through frames and API bodies (docs/security.md): forged service frames, poisoned text, the reserved user id.
/// Each attack is refused, and an honest message sent after it is the only thing its target gets.
/// </summary>
public sealed class HostileFrameTests(ServerFixture fixture, HistoryServerFixture history)
    : IClassFixture<ServerFixture>, IClassFixture<HistoryServerFixture>
{
    private SwitchboardServer Server => fixture.Server;

    private static string Unique(string name) => $"{name}-{Guid.NewGuid():N}"[..20];

    public static TheoryData<string> ForgedTypes() =>
    [
        "welcome", "ack", "receipt", "stream_reset", "resumed", "error", "token_expiring", "pong", "presence_join",
        "rpc_result", "$control", "\\u0077elcome", "\\u0024anything",
    ];

    private static async Task<string> CodeOfErrorAsync(Client client, string id)
    {
        var error = await client.ReceiveAsync();
        Assert.Equal("error", error.GetProperty("type").GetString());
        Assert.Equal(id, error.GetProperty("id").GetString());
        return error.GetProperty("data").GetProperty("code").GetString()!;
    }

    private static async Task AssertOnlyTheMarkerArrivedAsync(Client target, string marker)
    {
        var first = await target.ReceiveAsync();
        Assert.Equal("marker", first.GetProperty("type").GetString());
        Assert.Equal(marker, first.GetProperty("data").GetString());
    }

    private Task<HttpResponseMessage> PostAsync(SwitchboardServer server, string path, string body) =>
        server.Http.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));

    private static Task<HttpResponseMessage> PostBytesAsync(SwitchboardServer server, string path, byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new("application/json");
        return server.Http.PostAsync(path, content);
    }

    [Theory]
    [MemberData(nameof(ForgedTypes))]
    public async Task A_client_cannot_send_a_frame_of_a_reserved_type_to_a_user_or_a_group(string type)
    {
        var (victim, group) = (Unique("victim"), Unique("room"));
        await using var target = await Client.ConnectAsync(Server.WebSocketUri($"user_id={victim}&groups={group}"));
        await using var mallory = await Client.ConnectAsync(Server.WebSocketUri("user_id=mallory"));

        await mallory.SendAsync($$$"""{"type":"{{{type}}}","to":"{{{victim}}}","id":"to-user","data":{"user_id":"{{{victim}}}"}}""");
        Assert.Equal("reserved_type", await CodeOfErrorAsync(mallory, "to-user"));
        await mallory.SendAsync($$"""{"type":"{{type}}","group":"{{group}}","id":"to-group"}""");
        Assert.Equal("reserved_type", await CodeOfErrorAsync(mallory, "to-group"));

        var marker = Unique("marker");
        await mallory.SendAsync($$"""{"type":"marker","to":"{{victim}}","data":"{{marker}}"}""");
        await AssertOnlyTheMarkerArrivedAsync(target, marker);
    }

    [Theory]
    [InlineData("/ws/message", "welcome")]
    [InlineData("/ws/message", "stream_reset")]
    [InlineData("/ws/message", "\\u0072eceipt")]
    [InlineData("/ws/message", "$x")]
    [InlineData("/ws/broadcast", "welcome")]
    [InlineData("/ws/broadcast", "broadcast")]
    [InlineData("/ws/broadcast", "$x")]
    public async Task The_http_api_refuses_reserved_types_with_400(string path, string type)
    {
        var victim = Unique("victim");
        await using var target = await Client.ConnectAsync(Server.WebSocketUri($"user_id={victim}"));

        var refused = await PostAsync(Server, path, path.EndsWith("broadcast")
            ? $"{{\"type\":\"{type}\",\"data\":{{}}}}"
            : $"{{\"type\":\"{type}\",\"to\":\"{victim}\",\"data\":{{}}}}");
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("reserved_type", JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString());

        var marker = Unique("marker");
        Assert.Equal(HttpStatusCode.Accepted, (await PostAsync(Server, "/ws/message",
            $$"""{"type":"marker","to":"{{victim}}","data":"{{marker}}"}""")).StatusCode);
        await AssertOnlyTheMarkerArrivedAsync(target, marker);
    }

    [Fact]
    public async Task No_connection_may_be_the_user_server()
    {
        await using var byQuery = await RawWebSocket.ConnectAsync(Server.BaseUri, "/ws?user_id=server");
        Assert.Equal(400, byQuery.Status);
        Assert.Contains("invalid_user_id", byQuery.Body);
        await using var byHeader = await RawWebSocket.ConnectAsync(Server.BaseUri, "/ws",
            new Dictionary<string, string?> { ["X-User-ID"] = "server" });
        Assert.Equal(400, byHeader.Status);

        // Other names are still anyone's: "Server" is another user.
        await using var other = await Client.ConnectAsync(Server.WebSocketUri("user_id=Server"));
        Assert.Equal("Server", other.UserId);
    }

    [Fact]
    public async Task A_binary_frame_with_invalid_utf8_closes_its_sender_with_1007_and_reaches_nobody()
    {
        var victim = Unique("victim");
        await using var target = await Client.ConnectAsync(Server.WebSocketUri($"user_id={victim}"));
        await using var mallory = await RawWebSocket.ConnectAsync(Server.BaseUri, "/ws?user_id=mallory");
        Assert.Contains("welcome", (await mallory.ReceiveAsync())!.Text);

        byte[] poisoned = [.. Encoding.UTF8.GetBytes($"{{\"type\":\"chat\",\"to\":\"{victim}\",\"data\":\""), 0xFF, 0xC0, .. "\"}"u8];
        await mallory.SendFrameAsync(Binary, poisoned);
        Assert.Equal(1007, (await mallory.ReceiveCloseAsync())!.CloseCode);

        Assert.Equal(HttpStatusCode.Accepted, (await PostAsync(Server, "/ws/message",
            $$"""{"type":"marker","to":"{{victim}}","data":"after binary"}""")).StatusCode);
        await AssertOnlyTheMarkerArrivedAsync(target, "after binary");
    }

    public static TheoryData<string> LoneSurrogates() =>
    [
        """{"type":"chat","to":"%VICTIM%","id":"s","data":"\ud800"}""",
        """{"type":"chat","to":"%VICTIM%","id":"s","data":{"nested":["ok","\udfff"]}}""",
        """{"type":"chat","to":"%VICTIM%","id":"s","data":{"\ud83d":1}}""",
        """{"type":"chat","to":"%VICTIM%\ud800","id":"s"}""",
        """{"type":"chat\udc00","to":"%VICTIM%","id":"s"}""",
        """{"type":"chat","to":"%VICTIM%","id":"s","extra":"\ud800"}""",
    ];

    [Theory]
    [MemberData(nameof(LoneSurrogates))]
    public async Task Escapes_that_decode_to_invalid_text_get_an_error_and_the_connection_stays(string frame)
    {
        var victim = Unique("victim");
        await using var target = await Client.ConnectAsync(history.Server.WebSocketUri($"user_id={victim}"));
        await using var mallory = await Client.ConnectAsync(history.Server.WebSocketUri("user_id=mallory"));

        await mallory.SendAsync(frame.Replace("%VICTIM%", victim));
        Assert.Equal("invalid_json", await CodeOfErrorAsync(mallory, "s"));
        await mallory.SendAsync($$"""{"type":"marker","to":"{{victim}}","data":"after surrogate","id":"m"}""");
        Assert.Equal("ack", (await mallory.ReceiveAsync()).GetProperty("type").GetString());
        await AssertOnlyTheMarkerArrivedAsync(target, "after surrogate");

        // Kept history holds the marker alone, and reads back as JSON.
        using var kept = JsonDocument.Parse(await history.Server.Http.GetStringAsync($"/ws/users/{victim}/history?since=0"));
        var message = Assert.Single(kept.RootElement.GetProperty("messages").EnumerateArray());
        Assert.Equal("after surrogate", message.GetProperty("data").GetString());
    }

    [Fact]
    public async Task An_invalid_id_is_not_echoed_on_its_error()
    {
        await using var mallory = await Client.ConnectAsync(Server.WebSocketUri("user_id=mallory"));
        await mallory.SendAsync("""{"type":"ping","id":"\ud800"}""");
        var error = await mallory.ReceiveAsync();
        Assert.Equal("invalid_json", error.GetProperty("data").GetProperty("code").GetString());
        Assert.False(error.TryGetProperty("id", out _));
    }

    [Theory]
    [InlineData("/ws/message")]
    [InlineData("/ws/broadcast")]
    public async Task The_http_api_refuses_invalid_text_with_400_and_keeps_nothing(string path)
    {
        var victim = Unique("victim");
        await using var target = await Client.ConnectAsync(history.Server.WebSocketUri($"user_id={victim}"));

        byte[] invalidUtf8 = [.. Encoding.UTF8.GetBytes($"{{\"type\":\"chat\",\"to\":\"{victim}\",\"data\":\""), 0xED, 0xA0, 0x80, .. "\"}"u8];
        var bodies = new[]
        {
            invalidUtf8,
            Encoding.UTF8.GetBytes($$"""{"type":"chat","to":"{{victim}}","data":"\ud800"}"""),
            Encoding.UTF8.GetBytes($$"""{"type":"chat","to":"{{victim}}\udfff","data":1}"""),
            Encoding.UTF8.GetBytes($$"""{"type":"chat","to":"{{victim}}","from":"\ud800","data":1}"""),
        };
        foreach (var body in bodies)
        {
            var refused = await PostBytesAsync(history.Server, path, body);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Equal("invalid_json", JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString());
        }

        Assert.Equal(HttpStatusCode.Accepted, (await PostAsync(history.Server, "/ws/message",
            $$"""{"type":"marker","to":"{{victim}}","data":"after bodies"}""")).StatusCode);
        await AssertOnlyTheMarkerArrivedAsync(target, "after bodies");
        using var kept = JsonDocument.Parse(await history.Server.Http.GetStringAsync($"/ws/users/{victim}/history?since=0"));
        Assert.Single(kept.RootElement.GetProperty("messages").EnumerateArray());
    }

    [Fact]
    public async Task A_frame_of_a_reserved_request_type_gets_its_own_answer()
    {
        await using var client = await Client.ConnectAsync(Server.WebSocketUri("user_id=asker"));
        await client.SendAsync("""{"type":"rpc","id":"r1","data":{"method":"m"}}""");
        Assert.Equal("not_available", await CodeOfErrorAsync(client, "r1"));
        await client.SendAsync("""{"type":"presence","group":"g1","id":"p1"}""");
        Assert.Equal("presence_off", await CodeOfErrorAsync(client, "p1"));
        await client.SendAsync("""{"type":"presence_stats","group":"g1","id":"p2"}""");
        Assert.Equal("presence_off", await CodeOfErrorAsync(client, "p2"));
    }
}

/// <summary>A node whose tokens are RS256 (about 1 KB each) and restrict groups.</summary>
public sealed class RestrictedTokenServerFixture : IAsyncLifetime
{
    private readonly RSA _key = RSA.Create(2048);

    public SwitchboardServer Server { get; private set; } = null!;

    public string Token(string sub, params string[] groups) => TestTokens.Mint(sub, TestTokens.Rs256(_key), groups: groups);

    public async Task InitializeAsync() => Server = await SwitchboardServer.StartAsync(configuration: new Dictionary<string, string?>
    {
        ["Auth:Jwt:PublicKeyFile"] = TestTokens.PublicPemFile(_key),
        ["Auth:Jwt:RestrictGroups"] = "true",
        // Below a token's size, as an operator may set it: a refresh must still fit.
        ["WebSocket:MaxMessageSize"] = "512",
    });

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        _key.Dispose();
    }
}

/// <summary>Group rights on every send, and a token refresh that fits a message size smaller than a token.</summary>
public sealed class RestrictedGroupTests(RestrictedTokenServerFixture fixture) : IClassFixture<RestrictedTokenServerFixture>
{
    private SwitchboardServer Server => fixture.Server;

    [Fact]
    public async Task A_token_that_does_not_allow_a_group_cannot_send_to_it()
    {
        await using var listener = await Client.ConnectAsync(Server.WebSocketUri(
            $"groups=team-b&access_token={fixture.Token("bea", "team-b")}"));
        await using var ann = await Client.ConnectAsync(Server.WebSocketUri($"access_token={fixture.Token("ann", "team-a", "proj-*")}"));

        await ann.SendAsync("""{"type":"chat","group":"team-b","id":"outside","data":"let me in"}""");
        var refused = await ann.ReceiveAsync();
        Assert.Equal(("error", "outside", "forbidden"), (refused.GetProperty("type").GetString(), refused.GetProperty("id").GetString(),
            refused.GetProperty("data").GetProperty("code").GetString()));

        // Inside its rights it still sends (and, a member, hears its own message).
        await ann.SendAsync("""{"type":"chat","group":"team-a","id":"inside"}""");
        var answers = new[] { await ann.ReceiveAsync(), await ann.ReceiveAsync() }.Select(f => f.GetProperty("type").GetString());
        Assert.Equal(["ack", "chat"], answers.Order());

        await Eventually.TrueAsync(async () => (await Server.Http.GetAsync("/ws/groups/team-b")).IsSuccessStatusCode,
            "the listener is in team-b");
        await using var speaker = await Client.ConnectAsync(Server.WebSocketUri($"access_token={fixture.Token("bea2", "team-b")}"));
        await speaker.SendAsync("""{"type":"marker","group":"team-b","data":"after outside"}""");
        var first = await listener.ReceiveAsync();
        Assert.Equal(("marker", "after outside"), (first.GetProperty("type").GetString(), first.GetProperty("data").GetString()));
    }

    [Fact]
    public async Task An_rs256_refresh_frame_fits_though_it_is_larger_than_the_message_size()
    {
        await using var ann = await Client.ConnectAsync(Server.WebSocketUri($"access_token={fixture.Token("ann", "team-a")}"));
        var refresh = $$$"""{"type":"refresh","id":"r","data":{"token":"{{{fixture.Token("ann", "team-a")}}}"}}""";
        Assert.True(Encoding.UTF8.GetByteCount(refresh) > fixture.Server.Hub.Options.Connection.MaxMessageSize);

        await ann.SendAsync(refresh);
        var answer = await ann.ReceiveAsync();
        Assert.Equal(("ack", "r"), (answer.GetProperty("type").GetString(), answer.GetProperty("id").GetString()));

        // Any other frame of that size is still over the limit.
        await ann.SendAsync($$"""{"type":"chat","group":"team-a","data":"{{new string('x', refresh.Length)}}"}""");
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, await ann.ReceiveCloseAsync());
    }
}

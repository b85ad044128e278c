using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Switchboard.IntegrationTests.Support;

namespace Switchboard.IntegrationTests;

/// <summary>A node with <c>Auth:ApiKeys</c>: one key per scope, and the protected-mode rules of a node without keys.</summary>
public sealed class KeyedServerFixture : IAsyncLifetime
{
    public const string Publisher = "publisher-key-0123456789";
    public const string Reader = "reader-key-0123456789abc";
    public const string Impersonator = "impersonator-key-0123456";
    public const string Operator = "operator-key-0123456789a";

    public SwitchboardServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await SwitchboardServer.StartAsync(configuration: new Dictionary<string, string?>
    {
        ["Auth:ApiKeys:0:Name"] = "publisher",
        ["Auth:ApiKeys:0:Key"] = Publisher,
        ["Auth:ApiKeys:0:Scopes:0"] = "publish",
        ["Auth:ApiKeys:1:Name"] = "reader",
        ["Auth:ApiKeys:1:Key"] = Reader,
        ["Auth:ApiKeys:1:Scopes:0"] = "read",
        ["Auth:ApiKeys:2:Name"] = "impersonator",
        ["Auth:ApiKeys:2:Key"] = Impersonator,
        ["Auth:ApiKeys:2:Scopes"] = "publish,impersonate",
        ["Auth:ApiKeys:3:Name"] = "operator",
        ["Auth:ApiKeys:3:Key"] = Operator,
        ["Auth:ApiKeys:3:Scopes:0"] = "admin",
    });

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

public sealed class ApiKeyTests(KeyedServerFixture keyed, ServerFixture unkeyed)
    : IClassFixture<KeyedServerFixture>, IClassFixture<ServerFixture>
{
    private static string Unique(string name) => $"{name}-{Guid.NewGuid():N}"[..20];

    private static async Task<HttpResponseMessage> SendAsync(SwitchboardServer server, HttpMethod method, string path,
        string? body = null, Action<HttpRequestMessage>? headers = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        headers?.Invoke(request);
        return await server.Http.SendAsync(request);
    }

    private static Action<HttpRequestMessage> Bearer(string key) => r => r.Headers.Authorization = new("Bearer", key);
    private static Action<HttpRequestMessage> ApiKey(string key) => r => r.Headers.Add("X-API-Key", key);

    private static Action<HttpRequestMessage>? HeaderForm(string form, string key) => form switch
    {
        "bearer" => Bearer(key),
        "x-api-key" => ApiKey(key),
        _ => null,
    };

    private static async Task<JsonElement> AssertErrorAsync(HttpResponseMessage response, int status, string code)
    {
        Assert.Equal(status, (int)response.StatusCode);
        var error = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(code, error.GetProperty("error").GetString());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
        return error;
    }

    // Each route with a body it accepts, so that a refusal can only come from the key.
    public static TheoryData<string, string, string?> Routes => new()
    {
        { "POST", "/ws/message", """{"to":"nobody-listens","type":"chat"}""" },
        { "POST", "/ws/broadcast", """{"type":"notice"}""" },
        { "GET", "/ws/stats", null },
        { "GET", "/ws/groups/some-group", null },
        { "GET", "/ws/users/some-user", null },
    };

    [Fact]
    public async Task Protected_mode_serves_loopback_callers_without_a_key()
    {
        var server = unkeyed.Server;
        Assert.Equal(200, (int)(await SendAsync(server, HttpMethod.Get, "/ws/stats")).StatusCode);
        Assert.Equal(202, (int)(await SendAsync(server, HttpMethod.Post, "/ws/message", """{"to":"x","type":"chat"}""")).StatusCode);
        Assert.Equal(202, (int)(await SendAsync(server, HttpMethod.Post, "/ws/broadcast", """{"type":"notice"}""")).StatusCode);
        await AssertErrorAsync(await SendAsync(server, HttpMethod.Get, "/ws/users/nobody"), 404, "unknown_user");
    }

    [Theory]
    [InlineData("X-Forwarded-For", "203.0.113.9")]
    [InlineData("X-Forwarded-For", "127.0.0.1")]
    [InlineData("Forwarded", "for=203.0.113.9;proto=https")]
    public async Task Protected_mode_refuses_a_forwarded_request_naming_the_setting(string header, string value)
    {
        foreach (var (method, path, body) in new (HttpMethod, string, string?)[]
                 {
                     (HttpMethod.Get, "/ws/stats", null), (HttpMethod.Post, "/ws/message", """{"to":"x","type":"chat"}"""),
                     (HttpMethod.Get, "/ws/users/x", null),
                 })
        {
            var response = await SendAsync(unkeyed.Server, method, path, body, r => r.Headers.Add(header, value));
            var error = await AssertErrorAsync(response, 401, "unauthorized");
            Assert.Contains("Auth:ApiKeys", error.GetProperty("message").GetString());
        }
    }

    [Fact]
    public async Task Protected_mode_lets_loopback_callers_impersonate()
    {
        var bob = Unique("bob");
        await using var client = await Client.ConnectAsync(unkeyed.Server.WebSocketUri($"user_id={bob}"));
        Assert.Equal(202, (int)(await SendAsync(unkeyed.Server, HttpMethod.Post, "/ws/message",
            $$"""{"to":"{{bob}}","type":"chat","from":"alerts"}""")).StatusCode);
        Assert.Equal("alerts", (await client.ReceiveAsync()).GetProperty("from").GetString());
    }

    [Theory]
    [InlineData("/ws/health")]
    [InlineData("/ws/health/live")]
    public async Task Health_probes_are_open_without_a_key(string path)
    {
        Assert.Equal(200, (int)(await SendAsync(keyed.Server, HttpMethod.Get, path)).StatusCode);
        Assert.Equal(200, (int)(await SendAsync(keyed.Server, HttpMethod.Get, path, headers: ApiKey("not-a-key-at-all-xx"))).StatusCode);
        Assert.Equal(200, (int)(await SendAsync(unkeyed.Server, HttpMethod.Get, path,
            headers: r => r.Headers.Add("X-Forwarded-For", "203.0.113.9"))).StatusCode);
    }

    [Fact]
    public async Task WebSocket_upgrades_need_no_api_key()
    {
        await using var client = await Client.ConnectAsync(keyed.Server.WebSocketUri("user_id=no-key-needed"));
        Assert.Equal("no-key-needed", client.UserId);
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task With_keys_a_loopback_caller_without_one_gets_401(string method, string path, string? body) =>
        await AssertErrorAsync(await SendAsync(keyed.Server, new HttpMethod(method), path, body), 401, "unauthorized");

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Unknown_key_gets_401_in_either_header(string method, string path, string? body)
    {
        await AssertErrorAsync(await SendAsync(keyed.Server, new HttpMethod(method), path, body, Bearer(KeyedServerFixture.Publisher + "x")),
            401, "unauthorized");
        await AssertErrorAsync(await SendAsync(keyed.Server, new HttpMethod(method), path, body, ApiKey("unknown-key-0123456789")),
            401, "unauthorized");
    }

    [Theory]
    [InlineData("POST", "/ws/message", """{"to":"nobody-listens","type":"chat"}""", KeyedServerFixture.Reader)]
    [InlineData("POST", "/ws/broadcast", """{"type":"notice"}""", KeyedServerFixture.Reader)]
    [InlineData("GET", "/ws/stats", null, KeyedServerFixture.Publisher)]
    [InlineData("GET", "/ws/groups/some-group", null, KeyedServerFixture.Publisher)]
    [InlineData("GET", "/ws/users/some-user", null, KeyedServerFixture.Impersonator)]
    public async Task Key_without_the_scope_gets_403(string method, string path, string? body, string key)
    {
        var error = await AssertErrorAsync(await SendAsync(keyed.Server, new HttpMethod(method), path, body, Bearer(key)), 403, "forbidden");
        Assert.Contains(method == "GET" ? "\"read\"" : "\"publish\"", error.GetProperty("message").GetString());
    }

    [Theory]
    [InlineData("bearer")]
    [InlineData("x-api-key")]
    public async Task Publish_key_sends_a_message_a_client_receives(string form)
    {
        var bob = Unique("bob");
        await using var client = await Client.ConnectAsync(keyed.Server.WebSocketUri($"user_id={bob}"));
        var response = await SendAsync(keyed.Server, HttpMethod.Post, "/ws/message",
            $$"""{"to":"{{bob}}","type":"chat","data":"hello"}""", HeaderForm(form, KeyedServerFixture.Publisher));
        Assert.Equal(202, (int)response.StatusCode);
        var message = await client.ReceiveAsync();
        Assert.Equal(("chat", "hello", "server"), (message.GetProperty("type").GetString(),
            message.GetProperty("data").GetString(), message.GetProperty("from").GetString()));
    }

    [Theory]
    [InlineData("bearer")]
    [InlineData("x-api-key")]
    public async Task Read_key_reads_stats_groups_and_users(string form)
    {
        var (user, group) = (Unique("reader-sees"), Unique("watched"));
        await using var client = await Client.ConnectAsync(keyed.Server.WebSocketUri($"user_id={user}&groups={group}"));
        var key = HeaderForm(form, KeyedServerFixture.Reader);

        await Eventually.TrueAsync(async () =>
            (await SendAsync(keyed.Server, HttpMethod.Get, $"/ws/groups/{group}", headers: key)).IsSuccessStatusCode,
            "the group lists its member");
        var members = await (await SendAsync(keyed.Server, HttpMethod.Get, $"/ws/groups/{group}", headers: key))
            .Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(user, members.GetProperty("members")[0].GetProperty("user_id").GetString());

        var lookup = await SendAsync(keyed.Server, HttpMethod.Get, $"/ws/users/{user}", headers: key);
        Assert.Equal(200, (int)lookup.StatusCode);
        Assert.Equal(1, (await lookup.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("connections").GetInt32());

        var stats = await SendAsync(keyed.Server, HttpMethod.Get, "/ws/stats", headers: key);
        Assert.Equal(200, (int)stats.StatusCode);
        Assert.Equal(JsonValueKind.Number, (await stats.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("connections").ValueKind);
    }

    [Fact]
    public async Task Admin_key_does_everything()
    {
        var bob = Unique("bob");
        await using var client = await Client.ConnectAsync(keyed.Server.WebSocketUri($"user_id={bob}"));
        var key = ApiKey(KeyedServerFixture.Operator);

        Assert.Equal(202, (int)(await SendAsync(keyed.Server, HttpMethod.Post, "/ws/message",
            $$"""{"to":"{{bob}}","type":"chat","from":"ops-desk"}""", key)).StatusCode);
        Assert.Equal("ops-desk", (await client.ReceiveAsync()).GetProperty("from").GetString());
        Assert.Equal(202, (int)(await SendAsync(keyed.Server, HttpMethod.Post, "/ws/broadcast", """{"type":"notice"}""", key)).StatusCode);
        Assert.Equal("notice", (await client.ReceiveAsync()).GetProperty("type").GetString());
        Assert.Equal(200, (int)(await SendAsync(keyed.Server, HttpMethod.Get, "/ws/stats", headers: key)).StatusCode);
        Assert.Equal(200, (int)(await SendAsync(keyed.Server, HttpMethod.Get, $"/ws/users/{bob}", headers: key)).StatusCode);
        await AssertErrorAsync(await SendAsync(keyed.Server, HttpMethod.Get, "/ws/groups/no-such-group", headers: key), 404, "unknown_group");
    }

    [Fact]
    public async Task Impersonate_key_sends_with_the_bodys_from()
    {
        var (bob, room) = (Unique("bob"), Unique("room"));
        await using var client = await Client.ConnectAsync(keyed.Server.WebSocketUri($"user_id={bob}&groups={room}"));
        var key = Bearer(KeyedServerFixture.Impersonator);

        Assert.Equal(202, (int)(await SendAsync(keyed.Server, HttpMethod.Post, "/ws/message",
            $$"""{"to":"{{bob}}","type":"chat","data":"hi","from":"alice"}""", key)).StatusCode);
        var direct = await client.ReceiveAsync();
        Assert.Equal(("alice", bob), (direct.GetProperty("from").GetString(), direct.GetProperty("to").GetString()));

        Assert.Equal(202, (int)(await SendAsync(keyed.Server, HttpMethod.Post, "/ws/message",
            $$"""{"group":"{{room}}","type":"chat","from":"carol"}""", key)).StatusCode);
        Assert.Equal("carol", (await client.ReceiveAsync()).GetProperty("from").GetString());

        Assert.Equal(202, (int)(await SendAsync(keyed.Server, HttpMethod.Post, "/ws/message",
            $$"""{"to":"{{bob}}","type":"chat","from":null}""", key)).StatusCode);
        Assert.Equal("server", (await client.ReceiveAsync()).GetProperty("from").GetString());
    }

    [Theory]
    [InlineData("/ws/message")]
    [InlineData("/ws/broadcast")]
    public async Task From_without_impersonate_gets_403_and_sends_nothing(string path)
    {
        var bob = Unique("bob");
        await using var client = await Client.ConnectAsync(keyed.Server.WebSocketUri($"user_id={bob}"));
        var publisher = Bearer(KeyedServerFixture.Publisher);

        var body = path == "/ws/message" ? $$"""{"to":"{{bob}}","type":"chat","from":"alice"}""" : """{"type":"chat","from":"alice"}""";
        var error = await AssertErrorAsync(await SendAsync(keyed.Server, HttpMethod.Post, path, body, publisher), 403, "forbidden");
        Assert.Contains("impersonate", error.GetProperty("message").GetString());

        // The next frame the client reads is this marker: the refused message never went out.
        Assert.Equal(202, (int)(await SendAsync(keyed.Server, HttpMethod.Post, "/ws/message",
            $$"""{"to":"{{bob}}","type":"marker"}""", publisher)).StatusCode);
        Assert.Equal("marker", (await client.ReceiveAsync()).GetProperty("type").GetString());
    }

    [Theory]
    [InlineData("\"\"", "invalid_user_id")]
    [InlineData("5", "invalid_field")]
    [InlineData("{\"id\":\"alice\"}", "invalid_field")]
    public async Task A_from_that_is_not_a_user_id_gets_400(string from, string code) =>
        await AssertErrorAsync(await SendAsync(keyed.Server, HttpMethod.Post, "/ws/message",
            $$"""{"to":"bob","type":"chat","from":{{from}}}""", Bearer(KeyedServerFixture.Impersonator)), 400, code);

    [Fact]
    public async Task A_connections_own_from_is_still_ignored()
    {
        var bob = Unique("bob");
        await using var receiver = await Client.ConnectAsync(keyed.Server.WebSocketUri($"user_id={bob}"));
        await using var sender = await Client.ConnectAsync(keyed.Server.WebSocketUri("user_id=mallory"));
        await sender.SendAsync($$"""{"type":"chat","to":"{{bob}}","from":"alice"}""");
        Assert.Equal("mallory", (await receiver.ReceiveAsync()).GetProperty("from").GetString());
    }
}

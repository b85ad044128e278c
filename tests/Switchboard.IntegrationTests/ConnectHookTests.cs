using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Switchboard.IntegrationTests.Support;
using Switchboard.Service.Hooks;

namespace Switchboard.IntegrationTests;

/// <summary>One test backend, and a server of each upgrade path whose connect hook calls it.</summary>
public sealed class ConnectHookFixture : IAsyncLifetime
{
    public const string Origin = "http://app.test";

    public TestBackend Backend { get; private set; } = null!;
    public SwitchboardServer Transport { get; private set; } = null!;
    public SwitchboardServer Http { get; private set; } = null!;

    public SwitchboardServer Server(bool transportUpgrades) => transportUpgrades ? Transport : Http;

    public async Task InitializeAsync()
    {
        Backend = await TestBackend.StartAsync();
        var settings = HookedServers.Settings(Backend, ["connect"],
            ("Hooks:Connect:ForwardHeaders", "X-Test-Answer,X-Tenant"),
            ("Hooks:Connect:ForwardCookies", "session"),
            ("Auth:AllowedOrigins", Origin),
            ("Namespaces:Rules:room:Presence", "true"),
            ("Namespaces:Rules:room:PresenceEvents", "true"));
        Transport = await SwitchboardServer.StartAsync(configuration: settings);
        Http = await SwitchboardServer.StartAsync(configuration: settings, transportUpgrades: false);
    }

    public async Task DisposeAsync()
    {
        await Transport.DisposeAsync();
        await Http.DisposeAsync();
        await Backend.DisposeAsync();
    }
}

/// <summary>
/// The connect hook (PROTOCOL.md "Application hooks"), on both upgrade paths, against the real backend process: it names the
/// user of a browser that holds only a session cookie, refuses with its own status and body, sees only what is forwarded,
/// and takes the client's user_id only as a hint.
/// </summary>
public sealed class ConnectHookTests(ConnectHookFixture fixture) : IClassFixture<ConnectHookFixture>
{
    private static bool AnsweredByKestrel(RawWebSocket response) => response.Headers.ContainsKey("Server");

    private static async Task<JsonElement> NextAsync(RawWebSocket socket) =>
        JsonDocument.Parse((await socket.ReceiveSkippingPingsAsync())!.Text).RootElement.Clone();

    private static async Task<JsonElement> AnswerAsync(RawWebSocket socket, string json, string id)
    {
        await socket.SendTextAsync(json);
        while (true)
        {
            var frame = await NextAsync(socket);
            if (frame.TryGetProperty("id", out var got) && got.GetString() == id)
                return frame;
        }
    }

    private async Task<JsonElement> ConnectCallAsync(string marker) =>
        Assert.Single(await fixture.Backend.CallsAsync("connect"), c => c.GetRawText().Contains(marker));

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_browser_with_only_a_session_cookie_is_named_by_the_connect_hook(bool transportUpgrades)
    {
        var server = fixture.Server(transportUpgrades);
        var user = $"alice{(transportUpgrades ? "t" : "h")}";
        await using var socket = await RawWebSocket.ConnectAsync(server.BaseUri, "/ws?groups=room:lobby",
            HookedServers.Browser(ConnectHookFixture.Origin, $"tracker=t1; session=user:{user}; other=o1", ("X-Tenant", "acme"),
                ("X-Not-Forwarded", "secret")));

        Assert.Equal(101, socket.Status);
        Assert.Equal(!transportUpgrades, AnsweredByKestrel(socket));
        var welcome = await NextAsync(socket);
        Assert.Equal(user, welcome.GetProperty("data").GetProperty("user_id").GetString());
        Assert.Equal("pro", welcome.GetProperty("data").GetProperty("app").GetProperty("plan").GetString());

        // The hook's info is what presence shows for the connection, in its events and its list.
        JsonElement join;
        while ((join = await NextAsync(socket)).GetProperty("type").GetString() != "presence_join")
        {
        }
        Assert.Equal(user, join.GetProperty("data").GetProperty("info").GetProperty("name").GetString());
        var presence = await AnswerAsync(socket, """{"type":"presence","group":"room:lobby","id":"p"}""", "p");
        Assert.Equal(user, presence.GetProperty("data").GetProperty("users").GetProperty(user)[0].GetProperty("info")
            .GetProperty("name").GetString());

        // Only what the settings name reached the backend, signed.
        var call = await ConnectCallAsync($"user:{user}");
        Assert.True(call.GetProperty("signature_valid").GetBoolean());
        var client = call.GetProperty("body").GetProperty("client");
        Assert.Equal("""{"session":"user:USER"}""".Replace("USER", user), client.GetProperty("cookies").GetRawText());
        Assert.Equal("""{"X-Tenant":"acme"}""", client.GetProperty("headers").GetRawText());
        Assert.Equal("127.0.0.1", client.GetProperty("address").GetString());
        Assert.Equal(JsonValueKind.Null, call.GetProperty("body").GetProperty("user_id").ValueKind);
        Assert.Equal(JsonValueKind.Null, call.GetProperty("body").GetProperty("claims").ValueKind);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_denied_connect_gets_the_hooks_status_and_body_and_the_hook_is_asked_once(bool transportUpgrades)
    {
        var server = fixture.Server(transportUpgrades);
        var marker = Guid.NewGuid().ToString("N");
        await using var refused = await RawWebSocket.ConnectAsync(server.BaseUri, "/ws", new Dictionary<string, string?>
        {
            ["X-Test-Answer"] = $$"""{"allow":false,"status":451,"error":"gone","message":"{{marker}}"}""",
        });

        Assert.Equal(451, refused.Status);
        var body = JsonDocument.Parse(refused.Body).RootElement;
        Assert.Equal(("gone", marker), (body.GetProperty("error").GetString(), body.GetProperty("message").GetString()));
        await ConnectCallAsync(marker); // once, though the transport handed the refusal on to the HTTP pipeline

        await using var banned = await RawWebSocket.ConnectAsync(server.BaseUri, "/ws",
            HookedServers.Browser(ConnectHookFixture.Origin, "session=banned"));
        Assert.Equal(403, banned.Status);
        Assert.Equal("banned", JsonDocument.Parse(banned.Body).RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_refusal_without_status_or_code_is_403_forbidden()
    {
        await using var refused = await RawWebSocket.ConnectAsync(fixture.Transport.BaseUri, "/ws",
            new Dictionary<string, string?> { ["X-Test-Answer"] = """{"allow":false}""" });
        Assert.Equal(403, refused.Status);
        Assert.Equal("forbidden", JsonDocument.Parse(refused.Body).RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task The_user_id_a_client_asks_for_is_only_a_hint_for_the_hook()
    {
        var marker = Guid.NewGuid().ToString("N");
        await using var socket = await RawWebSocket.ConnectAsync(fixture.Transport.BaseUri, "/ws?user_id=mallory",
            new Dictionary<string, string?> { ["X-Test-Answer"] = $$$"""{"allow":true,"info":{"m":"{{{marker}}}"}}""" });

        var welcome = await NextAsync(socket);
        Assert.StartsWith("anon-", welcome.GetProperty("data").GetProperty("user_id").GetString());
        Assert.False(welcome.GetProperty("data").TryGetProperty("app", out _));
        var call = await ConnectCallAsync(marker);
        Assert.Equal("mallory", call.GetProperty("body").GetProperty("requested_user_id").GetString());
    }

    [Theory]
    [InlineData("""{"allow":true,"user_id":"server"}""")]
    [InlineData("""{"allow":true,"info":"not an object"}""")]
    [InlineData("""{"allow":true,"groups":["bad\u0001group"]}""")]
    [InlineData("""{"allow":true,"expires_in":0}""")]
    [InlineData("""{"allow":false,"status":200}""")]
    [InlineData("""[1,2]""")]
    public async Task An_answer_that_breaks_the_rules_is_a_failure_and_denies_with_503(string answer)
    {
        await using var refused = await RawWebSocket.ConnectAsync(fixture.Transport.BaseUri, "/ws",
            new Dictionary<string, string?> { ["X-Test-Answer"] = answer });
        Assert.Equal(503, refused.Status);
        Assert.Equal("hook_unavailable", JsonDocument.Parse(refused.Body).RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Groups_the_hook_names_are_joined_at_connect()
    {
        await using var vip = await RawWebSocket.ConnectAsync(fixture.Transport.BaseUri, "/ws",
            new Dictionary<string, string?> { ["X-Test-Answer"] = """{"allow":true,"user_id":"gia","groups":["vip"]}""" });
        await NextAsync(vip);
        await using var other = await Client.ConnectAsync(fixture.Transport.WebSocketUri("user_id=sender"), o =>
            o.SetRequestHeader("X-Test-Answer", """{"allow":true,"user_id":"sender"}"""));
        await other.SendAsync("""{"type":"note","group":"vip","data":"for members"}""");

        var note = await NextAsync(vip);
        Assert.Equal(("note", "for members"), (note.GetProperty("type").GetString(), note.GetProperty("data").GetString()));
    }

    [Fact]
    public async Task The_backend_refuses_a_signature_older_than_5_minutes()
    {
        var body = """{"user_id":null,"requested_user_id":null,"client":{"address":null,"headers":{},"cookies":{}},"claims":null,"node":"n"}"""u8.ToArray();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var secrets = new[] { Encoding.UTF8.GetBytes(TestBackend.Secret) };

        Assert.Equal(200, await PostAsync(body, HookSignature.Sign("connect", body, secrets, now)));
        Assert.Equal(401, await PostAsync(body, HookSignature.Sign("connect", body, secrets, now - 301)));
        Assert.Equal(401, await PostAsync(body, HookSignature.Sign("refresh", body, secrets, now))); // another hook's
    }

    private async Task<int> PostAsync(byte[] body, string signature)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, fixture.Backend.HookUrl("connect")) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add(HookSignature.HookHeader, "connect");
        request.Headers.Add(HookSignature.SignatureHeader, signature);
        return (int)(await http.SendAsync(request)).StatusCode;
    }
}

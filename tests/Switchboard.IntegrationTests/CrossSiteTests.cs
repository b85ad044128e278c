using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Contracts;
using Switchboard.IntegrationTests.Support;
using Switchboard.Service.Auth;

namespace Switchboard.IntegrationTests;

/// <summary>A node in protected mode embedded in an app that maps a POST route of its own, outside the hub.</summary>
public sealed class EmbeddedHubFixture : IAsyncLifetime
{
    public const string AppRoute = "/app/notes";

    public SwitchboardServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await SwitchboardServer.StartAsync(
        pipeline: app => app.MapPost(AppRoute, () => Results.Ok(new { saved = true })));

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>
/// Issue 28, item 4 from a real client: what a web page could make a visitor's browser send (text/plain bodies, forms,
/// another origin) changes nothing on any route that changes state, keys or not; in protected mode a request through a
/// proxy or by a name that is not loopback's (DNS rebinding) is no loopback caller.
/// </summary>
public sealed class CrossSiteTests(EmbeddedHubFixture unkeyed, KeyedServerFixture keyed)
    : IClassFixture<EmbeddedHubFixture>, IClassFixture<KeyedServerFixture>
{
    private static string Unique(string name) => $"{name}-{Guid.NewGuid():N}"[..20];

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    // What a page may send anywhere without a preflight; new StringContent(body) is text/plain too.
    private static StringContent Text(string body) => new(body);

    private static async Task<HttpResponseMessage> SendAsync(SwitchboardServer server, HttpMethod method, string path, HttpContent? content,
        Action<HttpRequestMessage>? headers = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        headers?.Invoke(request);
        return await server.Http.SendAsync(request);
    }

    private static Action<HttpRequestMessage> Header(string name, string value) => r => r.Headers.TryAddWithoutValidation(name, value);
    private static Action<HttpRequestMessage> CrossSite => Header("Sec-Fetch-Site", "cross-site");
    private static Action<HttpRequestMessage> ForeignOrigin => Header("Origin", "http://evil.example");

    private static async Task<string> AssertErrorAsync(HttpResponseMessage response, int status, string code, string? what = null)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == (int)response.StatusCode, $"{what}: {(int)response.StatusCode} {text}");
        var error = JsonDocument.Parse(text).RootElement;
        Assert.Equal(code, error.GetProperty("error").GetString());
        var message = error.GetProperty("message").GetString();
        Assert.False(string.IsNullOrEmpty(message));
        return message!;
    }

    // The marker is the first frame the client gets: nothing refused before it reached the client.
    private static async Task AssertOnlyTheMarkerArrivesAsync(SwitchboardServer server, Client client, Action<HttpRequestMessage>? key = null)
    {
        var marker = Unique("marker");
        Assert.Equal(202, (int)(await SendAsync(server, HttpMethod.Post, "/ws/message",
            Json($$"""{"to":"{{client.UserId}}","type":"marker","data":"{{marker}}"}"""), key)).StatusCode);
        var first = await client.ReceiveAsync();
        Assert.Equal(("marker", marker), (first.GetProperty("type").GetString(), first.GetProperty("data").GetString()));
    }

    /// <summary>Every route mapped under the hub's prefix for a method that changes state, as the app's routing holds them.</summary>
    private static List<(HttpMethod Method, string Path)> StateChangingRoutes(SwitchboardServer server) =>
        server.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText!.StartsWith(server.Prefix + "/", StringComparison.Ordinal) || e.RoutePattern.RawText == server.Prefix)
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? [])
                .Where(CrossSiteRequests.ChangesState)
                .Select(m => (new HttpMethod(m), PathOf(e.RoutePattern.RawText!))))
            .ToList();

    private static string PathOf(string pattern) => System.Text.RegularExpressions.Regex.Replace(pattern, "{[^}]+}", "x");

    public static TheoryData<string> KnownChanges => new()
    {
        "POST /ws/message", "POST /ws/broadcast", "POST /ws" + AdminRoutes.Kick, "POST /ws" + AdminRoutes.Drain,
        "POST /ws" + AdminRoutes.ClusterLeave, "POST /ws" + AdminRoutes.ClusterDown, "POST /ws" + AdminRoutes.ClusterDownUnreachable,
        "POST /ws" + AdminRoutes.ClusterJoin, "PUT /ws" + AdminRoutes.RateLimit,
    };

    [Theory]
    [MemberData(nameof(KnownChanges))]
    public void The_routes_found_include_every_known_change(string route)
    {
        Assert.Contains(route, StateChangingRoutes(unkeyed.Server).Select(r => $"{r.Method} {r.Path}"));
        Assert.Contains(route, StateChangingRoutes(keyed.Server).Select(r => $"{r.Method} {r.Path}"));
    }

    [Fact]
    public async Task Every_route_that_changes_state_refuses_text_plain_and_other_origins_in_protected_mode()
    {
        foreach (var (method, path) in StateChangingRoutes(unkeyed.Server))
        {
            var what = $"{method} {path}";
            await AssertErrorAsync(await SendAsync(unkeyed.Server, method, path, Text("{}")), 415, "unsupported_media_type", what);
            await AssertErrorAsync(await SendAsync(unkeyed.Server, method, path, null), 415, "unsupported_media_type", what);
            await AssertErrorAsync(await SendAsync(unkeyed.Server, method, path, Json("{}"), CrossSite), 403, "forbidden_origin", what);
            await AssertErrorAsync(await SendAsync(unkeyed.Server, method, path, Json("{}"), ForeignOrigin), 403, "forbidden_origin", what);
        }
        await AssertStillServingAsync(unkeyed.Server, null);
    }

    [Fact]
    public async Task Every_route_that_changes_state_refuses_them_with_keys_too_and_before_the_key_is_looked_at()
    {
        var operatorKey = Header("X-API-Key", KeyedServerFixture.Operator);
        var unknownKey = Header("X-API-Key", "not-a-key-of-this-node-0123");
        foreach (var (method, path) in StateChangingRoutes(keyed.Server))
        {
            var what = $"{method} {path}";
            await AssertErrorAsync(await SendAsync(keyed.Server, method, path, Text("{}"), operatorKey), 415, "unsupported_media_type", what);
            await AssertErrorAsync(await SendAsync(keyed.Server, method, path, Json("{}"), r => { operatorKey(r); CrossSite(r); }),
                403, "forbidden_origin", what);
            await AssertErrorAsync(await SendAsync(keyed.Server, method, path, Json("{}"), r => { operatorKey(r); ForeignOrigin(r); }),
                403, "forbidden_origin", what);
            // A page learns nothing of a key: refused for where it comes from whether the key is known or not.
            await AssertErrorAsync(await SendAsync(keyed.Server, method, path, Json("{}"), r => { unknownKey(r); CrossSite(r); }),
                403, "forbidden_origin", what);
            await AssertErrorAsync(await SendAsync(keyed.Server, method, path, Text("{}")), 415, "unsupported_media_type", what);
        }
        await AssertStillServingAsync(keyed.Server, KeyedServerFixture.Operator);
    }

    private static async Task AssertStillServingAsync(SwitchboardServer server, string? key)
    {
        Assert.Equal(200, (int)(await server.Http.GetAsync("/ws/health")).StatusCode);
        var cluster = await AdminClient.GetAsync<ClusterView>(server.Http, "/ws" + AdminRoutes.Cluster, key);
        Assert.Equal("Up", Assert.Single(cluster.Members).Status);
    }

    [Fact]
    public async Task The_embedding_apps_own_routes_are_not_the_hubs_to_guard()
    {
        var response = await SendAsync(unkeyed.Server, HttpMethod.Post, EmbeddedHubFixture.AppRoute, Text("note"), CrossSite);
        Assert.Equal(200, (int)response.StatusCode);
    }

    [Fact]
    public async Task A_message_a_page_could_send_is_not_delivered_and_an_honest_one_is()
    {
        var server = unkeyed.Server;
        await using var victim = await Client.ConnectAsync(server.WebSocketUri($"user_id={Unique("victim")}"));
        var attack = $$"""{"to":"{{victim.UserId}}","type":"attack"}""";

        await AssertErrorAsync(await SendAsync(server, HttpMethod.Post, "/ws/message", Text(attack)), 415, "unsupported_media_type");
        await AssertErrorAsync(await SendAsync(server, HttpMethod.Post, "/ws/broadcast", Text("""{"type":"attack"}""")), 415,
            "unsupported_media_type");
        await AssertErrorAsync(await SendAsync(server, HttpMethod.Post, "/ws/message",
            new FormUrlEncodedContent([KeyValuePair.Create(attack, "")])), 415, "unsupported_media_type");
        await AssertErrorAsync(await SendAsync(server, HttpMethod.Post, "/ws/message", Json(attack), CrossSite), 403, "forbidden_origin");
        await AssertErrorAsync(await SendAsync(server, HttpMethod.Post, "/ws/message", Json(attack),
            Header("Sec-Fetch-Site", "same-site")), 403, "forbidden_origin");
        await AssertErrorAsync(await SendAsync(server, HttpMethod.Post, "/ws/message", Json(attack), ForeignOrigin), 403, "forbidden_origin");

        await AssertOnlyTheMarkerArrivesAsync(server, victim);
    }

    [Fact]
    public async Task A_kick_or_a_drain_a_page_could_send_changes_nothing()
    {
        var server = unkeyed.Server;
        await using var victim = await Client.ConnectAsync(server.WebSocketUri($"user_id={Unique("victim")}"));
        var kick = $$"""{"user_id":"{{victim.UserId}}"}""";

        await AssertErrorAsync(await SendAsync(server, HttpMethod.Post, "/ws" + AdminRoutes.Kick, Text(kick)), 415, "unsupported_media_type");
        await AssertErrorAsync(await SendAsync(server, HttpMethod.Post, "/ws" + AdminRoutes.Kick, Json(kick), CrossSite), 403, "forbidden_origin");
        await AssertErrorAsync(await SendAsync(server, HttpMethod.Post, "/ws" + AdminRoutes.Drain, Text("{}")), 415, "unsupported_media_type");
        await AssertErrorAsync(await SendAsync(server, HttpMethod.Post, "/ws" + AdminRoutes.Drain, null), 415, "unsupported_media_type");
        await AssertErrorAsync(await SendAsync(server, HttpMethod.Post, "/ws" + AdminRoutes.Drain, Json("{}"), ForeignOrigin), 403,
            "forbidden_origin");

        // Still connected and the node still serving: the marker arrives, and nothing before it.
        await AssertOnlyTheMarkerArrivesAsync(server, victim);
        await AssertStillServingAsync(server, null);
    }

    [Fact]
    public async Task Json_from_the_nodes_own_origin_or_from_no_page_is_served()
    {
        var server = unkeyed.Server;
        await using var client = await Client.ConnectAsync(server.WebSocketUri($"user_id={Unique("bob")}"));
        var own = $"{server.BaseUri.Scheme}://{server.BaseUri.Authority}";
        var content = new StringContent($$"""{"to":"{{client.UserId}}","type":"same-origin"}""", Encoding.UTF8);
        content.Headers.ContentType = new("Application/JSON") { CharSet = "utf-8" };

        Assert.Equal(202, (int)(await SendAsync(server, HttpMethod.Post, "/ws/message", content,
            r => { Header("Origin", own)(r); Header("Sec-Fetch-Site", "same-origin")(r); })).StatusCode);
        Assert.Equal("same-origin", (await client.ReceiveAsync()).GetProperty("type").GetString());

        // A change without a body is JSON too, empty or {}.
        Assert.Equal(200, (int)(await SendAsync(server, HttpMethod.Post, "/ws" + AdminRoutes.ClusterDownUnreachable, Json(""),
            Header("Sec-Fetch-Site", "none"))).StatusCode);
        Assert.Equal(200, (int)(await SendAsync(server, HttpMethod.Post, "/ws" + AdminRoutes.ClusterDownUnreachable, Json("{}"))).StatusCode);
    }

    [Theory]
    [InlineData("X-Real-IP", "203.0.113.9")]
    [InlineData("Via", "1.1 proxy")]
    [InlineData("X-Forwarded-Host", "switchboard.example")]
    [InlineData("X-Forwarded-Proto", "https")]
    [InlineData("X-Forwarded-For", "127.0.0.1")]
    [InlineData("Forwarded", "for=203.0.113.9")]
    [InlineData("X-Client-IP", "203.0.113.9")]
    [InlineData("True-Client-IP", "203.0.113.9")]
    [InlineData("CF-Connecting-IP", "203.0.113.9")]
    [InlineData("X-Original-For", "203.0.113.9")]
    [InlineData("Fastly-Client-IP", "203.0.113.9")]
    public async Task Protected_mode_refuses_a_request_through_a_proxy(string header, string value)
    {
        var server = unkeyed.Server;
        await using var victim = await Client.ConnectAsync(server.WebSocketUri($"user_id={Unique("victim")}"));

        var message = await AssertErrorAsync(await SendAsync(server, HttpMethod.Post, "/ws/message",
            Json($$"""{"to":"{{victim.UserId}}","type":"attack"}"""), Header(header, value)), 401, "unauthorized");
        Assert.Contains("Auth:ApiKeys", message);
        await AssertErrorAsync(await SendAsync(server, HttpMethod.Post, "/ws" + AdminRoutes.Kick,
            Json($$"""{"user_id":"{{victim.UserId}}"}"""), Header(header, value)), 401, "unauthorized");
        await AssertErrorAsync(await SendAsync(server, HttpMethod.Get, "/ws/stats", null, Header(header, value)), 401, "unauthorized");

        await AssertOnlyTheMarkerArrivesAsync(server, victim);
    }

    [Theory]
    [InlineData("evil.example")]
    [InlineData("127.0.0.1.nip.io")]
    [InlineData("localhost.evil.example")]
    public async Task Protected_mode_refuses_a_request_by_a_name_that_is_not_loopbacks(string name)
    {
        var server = unkeyed.Server;
        await using var victim = await Client.ConnectAsync(server.WebSocketUri($"user_id={Unique("victim")}"));
        // What a browser sends for a page at http://<name>:<port> whose name resolves to 127.0.0.1.
        Action<HttpRequestMessage> rebound = r => r.Headers.Host = $"{name}:{server.BaseUri.Port}";

        var message = await AssertErrorAsync(await SendAsync(server, HttpMethod.Post, "/ws/message",
            Json($$"""{"to":"{{victim.UserId}}","type":"attack"}"""), rebound), 401, "unauthorized");
        Assert.Contains("Auth:ApiKeys", message);
        await AssertErrorAsync(await SendAsync(server, HttpMethod.Get, "/ws/stats", null, rebound), 401, "unauthorized");
        await AssertErrorAsync(await SendAsync(server, HttpMethod.Get, "/ws" + AdminRoutes.Cluster, null, rebound), 401, "unauthorized");

        await AssertOnlyTheMarkerArrivesAsync(server, victim);
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("127.0.0.7")]
    [InlineData("switchboard.localhost")]
    public async Task Protected_mode_serves_loopback_names_with_any_port(string name)
    {
        var server = unkeyed.Server;
        using var request = new HttpRequestMessage(HttpMethod.Get, "/ws/stats");
        request.Headers.Host = $"{name}:{server.BaseUri.Port + 1}";
        Assert.Equal(200, (int)(await server.Http.SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task Protected_mode_refuses_a_request_without_a_host()
    {
        // HTTP/1.0 may leave Host out; HttpClient always sends one, so the request is written by hand.
        var body = """{"to":"nobody-listens","type":"attack"}""";
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(unkeyed.Server.BaseUri.Host, unkeyed.Server.BaseUri.Port);
        await using var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"POST /ws/message HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n{body}"));
        using var guard = new CancellationTokenSource(Eventually.Deadline);
        var response = await new StreamReader(stream).ReadToEndAsync(guard.Token); // HTTP/1.0: the node closes after its answer

        Assert.StartsWith("HTTP/1.1 401", response);
        Assert.Contains("\"error\":\"unauthorized\"", response);
        Assert.Contains("Auth:ApiKeys", response);
    }
}

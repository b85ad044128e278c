using System.Net;
using System.Text.Json;
using Switchboard.IntegrationTests.Support;

namespace Switchboard.IntegrationTests;

/// <summary><c>GET /metrics</c> on a real Kestrel: where it is, who may scrape it, its settings and its bounded labels.</summary>
public sealed class MetricsTests
{
    private const string ReaderKey = "metrics-reader-key-0123456789";
    private const string PublisherKey = "metrics-publisher-key-012345";

    private static readonly Dictionary<string, string?> TwoKeys = new()
    {
        ["Auth:ApiKeys:0:Name"] = "reader",
        ["Auth:ApiKeys:0:Key"] = ReaderKey,
        ["Auth:ApiKeys:0:Scopes:0"] = "read",
        ["Auth:ApiKeys:1:Name"] = "publisher",
        ["Auth:ApiKeys:1:Key"] = PublisherKey,
        ["Auth:ApiKeys:1:Scopes:0"] = "publish",
    };

    private static async Task<HttpResponseMessage> ScrapeAsync(SwitchboardServer server, string? key = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        if (key is not null)
            request.Headers.Authorization = new("Bearer", key);
        return await server.Http.SendAsync(request);
    }

    private static async Task<JsonElement> ErrorOf(HttpResponseMessage response)
    {
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }

    [Fact]
    public async Task Metrics_sit_at_the_server_root_when_the_hub_is_mapped_under_another_prefix()
    {
        await using var server = await SwitchboardServer.StartAsync(prefix: "/realtime");
        await using var client = await Client.ConnectAsync(server.WebSocketUri("user_id=rooted"));

        Assert.Equal(HttpStatusCode.NotFound, (await server.Http.GetAsync("/realtime/metrics")).StatusCode);
        // Exactly this host's connection, although other hubs run in this test process: each exports only its own meters.
        await Eventually.TrueAsync(async () =>
            (await Exposition.ScrapeAsync(server.Http, server.BaseUri)).Value("switchboard_connections") == 1,
            "the scrape at /metrics shows the one connection");
    }

    [Fact]
    public async Task Metrics_are_open_by_default_also_once_keys_are_configured()
    {
        await using var server = await SwitchboardServer.StartAsync(configuration: TwoKeys);

        var response = await ScrapeAsync(server);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("switchboard_connections", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task RequireKey_true_refuses_a_scrape_without_a_read_key_and_counts_the_refusals()
    {
        await using var server = await SwitchboardServer.StartAsync(configuration: new Dictionary<string, string?>(TwoKeys)
        {
            ["Metrics:RequireKey"] = "true",
        });

        var none = await ScrapeAsync(server);
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal("unauthorized", (await ErrorOf(none)).GetProperty("error").GetString());
        var unknown = await ScrapeAsync(server, "not-a-configured-key-000000");
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        var publisher = await ScrapeAsync(server, PublisherKey);
        Assert.Equal(HttpStatusCode.Forbidden, publisher.StatusCode);
        var forbidden = await ErrorOf(publisher);
        Assert.Equal("forbidden", forbidden.GetProperty("error").GetString());
        Assert.Contains("\"read\"", forbidden.GetProperty("message").GetString());

        Exposition scrape = null!;
        await Eventually.TrueAsync(async () =>
        {
            var reader = await ScrapeAsync(server, ReaderKey);
            Assert.Equal(HttpStatusCode.OK, reader.StatusCode);
            scrape = Exposition.Parse(await reader.Content.ReadAsStringAsync());
            return scrape.Value("switchboard_auth_refusals_total", ("reason", "unauthorized")) == 2;
        }, "the two unauthorized scrapes are counted");
        Assert.Equal(1, scrape.Value("switchboard_auth_refusals_total", ("reason", "forbidden")));
    }

    [Fact]
    public async Task Enabled_false_serves_no_metrics()
    {
        await using var server = await SwitchboardServer.StartAsync(configuration: new Dictionary<string, string?>
        {
            ["Metrics:Enabled"] = "false",
        });

        Assert.Equal(HttpStatusCode.NotFound, (await ScrapeAsync(server)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await server.Http.GetAsync("/ws/health")).StatusCode);
    }

    [Fact]
    public async Task Rate_limit_decisions_are_labelled_by_configured_route_or_default_never_by_path()
    {
        await using var server = await SwitchboardServer.StartAsync(rateLimiter: o => o with
        {
            Rate = "1000-M",
            PerRouteRates = new() { ["/WS/Stats/"] = "1-M" }, // labelled as the limiter spells it, /ws/stats
        });
        var user = $"someone-{Guid.NewGuid():N}"[..20];

        Assert.Equal(HttpStatusCode.OK, (await server.Http.GetAsync("/ws/stats")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await server.Http.GetAsync("/ws/stats")).StatusCode);
        // Another spelling of the route is that route.
        Assert.Equal(HttpStatusCode.TooManyRequests, (await server.Http.GetAsync("/WS/STATS/")).StatusCode);
        await server.Http.GetAsync($"/ws/users/{user}");
        await server.Http.GetAsync($"/no-such-path/{user}");

        Exposition scrape = null!;
        await Eventually.TrueAsync(async () =>
        {
            scrape = await Exposition.ScrapeAsync(server.Http, server.BaseUri);
            return scrape.Value("switchboard_ratelimit_decisions_total", ("route", "default"), ("result", "allowed")) >= 2;
        }, "the default route's decisions are counted");
        Assert.Equal(["/ws/stats", "default"], scrape.LabelValues("switchboard_ratelimit_decisions_total", "route").Order());
        Assert.Equal(1, scrape.Value("switchboard_ratelimit_decisions_total", ("route", "/ws/stats"), ("result", "allowed")));
        Assert.Equal(2, scrape.Value("switchboard_ratelimit_decisions_total", ("route", "/ws/stats"), ("result", "denied")));
        Assert.DoesNotContain(user, scrape.Text);
    }
}

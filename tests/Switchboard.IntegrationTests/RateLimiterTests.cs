using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.IntegrationTests.Support;
using Switchboard.Service.RateLimiting;

namespace Switchboard.IntegrationTests;

/// <summary>The HTTP rate limiter with the memory store, in front of a real host.</summary>
public sealed class RateLimiterTests
{
    private static Task<SwitchboardServer> StartAsync(Func<RateLimiterOptions, RateLimiterOptions> limiter) =>
        SwitchboardServer.StartAsync(rateLimiter: limiter);

    private static async Task<HttpStatusCode> GetAsync(SwitchboardServer server, string path, string? clientId = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, server.AsSpelt(path));
        if (clientId is not null)
            request.Headers.Add("X-Client-ID", clientId);
        return (await server.Http.SendAsync(request)).StatusCode;
    }

    [Fact]
    public async Task Three_per_minute_admits_three_then_denies_with_headers()
    {
        // Its own client id, so the stats read at the end does not share the bucket.
        await using var server = await StartAsync(o => o with { Rate = "3-M", Identifier = "header" });
        HttpResponseMessage Send()
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/ws/stats");
            request.Headers.Add("X-Client-ID", "counted");
            return server.Http.Send(request);
        }

        for (var i = 0; i < 3; i++)
        {
            var ok = await Task.Run(Send);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.Equal("3", ok.Headers.GetValues("X-RateLimit-Limit").Single());
            Assert.Equal((2 - i).ToString(), ok.Headers.GetValues("X-RateLimit-Remaining").Single());
        }

        var denied = await Task.Run(Send);
        Assert.Equal(HttpStatusCode.TooManyRequests, denied.StatusCode);
        var body = await denied.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("rate_limited", "Too Many Requests"), (body.GetProperty("error").GetString(), body.GetProperty("message").GetString()));
        Assert.Equal("0", denied.Headers.GetValues("X-RateLimit-Remaining").Single());
        var retryAfter = long.Parse(denied.Headers.GetValues("Retry-After").Single());
        Assert.InRange(retryAfter, 1, 20); // a token comes back every 20 s at 3 per minute
        var reset = long.Parse(denied.Headers.GetValues("X-RateLimit-Reset").Single());
        Assert.True(reset > DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        Assert.Equal("\"default\";q=3;w=60", denied.Headers.GetValues("RateLimit-Policy").Single());
        Assert.StartsWith("\"default\";r=0;t=", denied.Headers.GetValues("RateLimit").Single());

        var limiter = (await server.StatsAsync()).GetProperty("rate_limit");
        Assert.Equal(4, limiter.GetProperty("allowed").GetInt64()); // the three, and this read of the stats
        Assert.Equal(1, limiter.GetProperty("denied").GetInt64());
    }

    [Fact]
    public async Task A_hundred_concurrent_requests_against_ten_per_minute_admit_exactly_ten()
    {
        await using var server = await StartAsync(o => o with { Rate = "10-M", SkipPaths = ["/ws/health"] });
        var statuses = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => GetAsync(server, "/ws/stats")));
        Assert.Equal(10, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(90, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
    }

    [Fact]
    public async Task Per_route_rate_overrides_the_default_for_that_path_only()
    {
        await using var server = await StartAsync(o => o with
        {
            Rate = "1000-M", PerRouteRates = new() { ["/ws/stats"] = "1-M" }, SkipPaths = ["/ws/health"],
        });
        Assert.Equal(HttpStatusCode.OK, await GetAsync(server, "/ws/stats"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await GetAsync(server, "/ws/stats"));
        Assert.Equal(HttpStatusCode.NotFound, await GetAsync(server, "/ws/groups/none")); // under the default rate
    }

    [Fact]
    public async Task Skip_paths_are_prefixes_that_are_never_limited()
    {
        await using var server = await StartAsync(o => o with { Rate = "1-M", SkipPaths = ["/ws/health", "/ws/groups/"] });
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await GetAsync(server, "/ws/health"));
            Assert.Equal(HttpStatusCode.NotFound, await GetAsync(server, $"/ws/groups/g{i}"));
        }
        Assert.Equal(HttpStatusCode.OK, await GetAsync(server, "/ws/stats"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await GetAsync(server, "/ws/stats"));
    }

    [Theory]
    [InlineData("/ws")]
    [InlineData("/hub")]
    public async Task A_global_rate_of_one_a_minute_leaves_the_probes_and_the_admin_api_answering_and_sbctl_sets_it_back(string prefix)
    {
        await using var server = await SwitchboardServer.StartAsync(prefix: prefix, rateLimiter: o => o);
        string[] node = ["--node", server.BaseUri.ToString(), "--prefix", prefix, "--json"];
        var mistake = await Sbctl.RunAsync([.. node, "ratelimit", "set", "--rate", "1-M", "--yes"]);
        Assert.True(mistake.ExitCode == 0, mistake.ToString());

        Assert.Equal(HttpStatusCode.OK, await GetAsync(server, $"{prefix}/stats"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await GetAsync(server, $"{prefix}/stats"));
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await GetAsync(server, $"{prefix}/health"));
            Assert.Equal(HttpStatusCode.OK, await GetAsync(server, $"{prefix}/health/live"));
            Assert.Equal(HttpStatusCode.OK, await GetAsync(server, $"{prefix}/admin/ratelimit"));
        }

        var setBack = await Sbctl.RunAsync([.. node, "ratelimit", "set", "--rate", "off", "--yes"]);
        Assert.True(setBack.ExitCode == 0, setBack.ToString());
        Assert.Equal(HttpStatusCode.OK, await GetAsync(server, $"{prefix}/stats"));
    }

    [Fact]
    public async Task A_per_route_rate_naming_a_probe_or_an_admin_route_limits_it_in_any_spelling()
    {
        await using var server = await StartAsync(o => o with
        {
            Rate = "1-M", PerRouteRates = new() { ["/ws/health/live"] = "1-M", ["/ws/admin/ratelimit"] = "1-M" },
        });
        Assert.Equal(HttpStatusCode.OK, await GetAsync(server, "/ws/health/live"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await GetAsync(server, "/WS/Health/Live/"));
        Assert.Equal(HttpStatusCode.OK, await GetAsync(server, "/ws/admin/ratelimit"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await GetAsync(server, "/ws/Admin/RateLimit"));
        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.OK, await GetAsync(server, "/ws/health")); // not named: exempt from the global rate
    }

    [Fact]
    public async Task Whitelisted_range_is_never_limited()
    {
        await using var server = await StartAsync(o => o with { Rate = "1-M", WhitelistCIDRs = ["127.0.0.0/8", "::1/128"] });
        for (var i = 0; i < 5; i++)
            Assert.Equal(HttpStatusCode.OK, await GetAsync(server, "/ws/stats"));
    }

    [Fact]
    public async Task Header_identifier_gives_each_client_its_own_bucket()
    {
        await using var server = await StartAsync(o => o with { Rate = "1-M", Identifier = "header", SkipPaths = ["/ws/health"] });
        Assert.Equal(HttpStatusCode.OK, await GetAsync(server, "/ws/stats", "client-a"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await GetAsync(server, "/ws/stats", "client-a"));
        Assert.Equal(HttpStatusCode.OK, await GetAsync(server, "/ws/stats", "client-b"));
    }

    [Fact]
    public async Task Without_tokens_a_claimed_user_id_neither_spends_that_users_bucket_nor_escapes_its_own()
    {
        // Behind a trusted proxy on loopback, so that X-Forwarded-For gives each client an address of its own; the dashboard
        // page, as the API answers no forwarded caller in protected mode.
        await using var server = await StartAsync(o => o with { Rate = "1-M", Identifier = "user", TrustedProxies = ["127.0.0.0/8"] });
        async Task<HttpStatusCode> AsUser(string address, string claimedUser)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/ws/dashboard");
            request.Headers.Add("X-Forwarded-For", address);
            request.Headers.Add("X-User-ID", claimedUser);
            return (await server.Http.SendAsync(request)).StatusCode;
        }

        Assert.Equal(HttpStatusCode.OK, await AsUser("203.0.113.66", "ann"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await AsUser("203.0.113.66", "someone-new"));
        Assert.Equal(HttpStatusCode.OK, await AsUser("203.0.113.7", "ann"));
    }

    [Fact]
    public async Task Ip_and_route_identifier_limits_each_path_separately_whatever_its_spelling()
    {
        await using var server = await StartAsync(o => o with { Rate = "1-M", Identifier = "ip+route", SkipPaths = ["/ws/health"] });
        Assert.Equal(HttpStatusCode.OK, await GetAsync(server, "/ws/stats"));
        Assert.Equal(HttpStatusCode.NotFound, await GetAsync(server, "/ws/groups/x"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await GetAsync(server, "/ws/stats"));
        foreach (var (spelling, _) in StatsSpellings)
            Assert.True(await GetAsync(server, spelling) == HttpStatusCode.TooManyRequests, $"{spelling} has a bucket of its own");
    }

    // What each spelling of /ws/stats gets from Kestrel and routing when not limited: Kestrel decodes percent-escapes and
    // resolves dot segments, routing ignores case and a trailing slash. Repeated slashes reach no endpoint.
    private static readonly (string Spelling, HttpStatusCode Unlimited)[] StatsSpellings =
    [
        ("/ws/Stats", HttpStatusCode.OK),
        ("/WS/STATS", HttpStatusCode.OK),
        ("/ws/stats/", HttpStatusCode.OK),
        ("/ws/%53tats", HttpStatusCode.OK),
        ("/ws/./stats", HttpStatusCode.OK),
        ("/ws/x/../stats", HttpStatusCode.OK),
        ("/Ws/x/%2E%2E/sTaTs/.", HttpStatusCode.OK),
        ("//ws//stats", HttpStatusCode.NotFound),
    ];

    [Fact]
    public async Task Every_spelling_of_a_route_spends_the_routes_bucket()
    {
        await using var server = await StartAsync(o => o with
        {
            Rate = "1000-M", Identifier = "header", PerRouteRates = new() { ["/ws/stats"] = "2-M" },
        });
        for (var i = 0; i < StatsSpellings.Length; i++)
        {
            var (spelling, unlimited) = StatsSpellings[i];
            var client = $"respeller-{i}";
            // Two requests fill the bucket, one in each spelling; then neither spelling gets through.
            var statuses = new[]
            {
                await GetAsync(server, spelling, client), await GetAsync(server, "/ws/stats", client),
                await GetAsync(server, spelling, client), await GetAsync(server, "/ws/stats", client),
            };
            Assert.Equal($"{spelling}: {unlimited} OK TooManyRequests TooManyRequests", $"{spelling}: {string.Join(' ', statuses)}");
        }
        Assert.Equal(HttpStatusCode.OK, await GetAsync(server, "/ws/stats", "honest"));
    }

    [Fact]
    public async Task Upgrade_over_the_limit_is_refused_with_429_before_the_handshake()
    {
        await using var server = await StartAsync(o => o with { Rate = "1-M", SkipPaths = ["/ws/health"] });
        await using var first = await RawWebSocket.ConnectAsync(server.BaseUri);
        Assert.Equal(101, first.Status);
        await using var second = await RawWebSocket.ConnectAsync(server.BaseUri);
        Assert.Equal(429, second.Status);
    }

    [Theory]
    [InlineData("10 S")]
    [InlineData("AZERTY")]
    public async Task Invalid_rate_stops_start_up_naming_the_setting(string rate)
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => StartAsync(o => o with { Rate = rate }));
        Assert.Contains("RateLimiter:Rate", failure.ToString());
    }

    [Fact]
    public async Task Frames_over_the_message_rate_get_rate_limited_errors_and_the_connection_stays()
    {
        await using var server = await SwitchboardServer.StartAsync(o => o with { MessageRate = "2-M" });
        await using var client = await Client.ConnectAsync(server.WebSocketUri("user_id=chatty"));
        for (var i = 0; i < 2; i++)
        {
            await client.SendAsync("""{"type":"ping"}""");
            Assert.Equal("pong", (await client.ReceiveAsync()).GetProperty("type").GetString());
        }

        await client.SendAsync("""{"type":"ping","id":"over"}""");
        var error = await client.ReceiveAsync();
        Assert.Equal("over", error.GetProperty("id").GetString());
        Assert.Equal("rate_limited", error.GetProperty("data").GetProperty("code").GetString());
        Assert.Equal(System.Net.WebSockets.WebSocketState.Open, client.Socket.State);
    }

    [Fact]
    public async Task A_connection_that_keeps_exceeding_the_message_rate_is_closed_with_1008()
    {
        await using var server = await SwitchboardServer.StartAsync(o => o with { MessageRate = "1-M" });
        await using var client = await Client.ConnectAsync(server.WebSocketUri("user_id=flooder"));
        // Far more than the strikes: what comes after the close is neither answered nor counted again.
        for (var i = 0; i < 1 + Actors.Hub.ConnectionSession.RateLimitStrikes + 500; i++)
            await client.SendAsync("""{"type":"ping"}""");

        Assert.Equal("pong", (await client.ReceiveAsync()).GetProperty("type").GetString());
        for (var i = 1; i < Actors.Hub.ConnectionSession.RateLimitStrikes; i++)
            Assert.Equal("rate_limited", (await client.ReceiveAsync()).GetProperty("data").GetProperty("code").GetString());
        Assert.Equal(System.Net.WebSockets.WebSocketCloseStatus.PolicyViolation, await client.ReceiveCloseAsync());
        Assert.Equal("rate limit", client.Socket.CloseStatusDescription);
        await Eventually.TrueAsync(async () => (await server.StatsAsync()).GetProperty("connections").GetInt32() == 0, "the flooder is gone");
        var errors = (await server.StatsAsync()).GetProperty("errors");
        Assert.Equal(1, errors.GetProperty("close_1008").GetInt64());
        Assert.Equal(Actors.Hub.ConnectionSession.RateLimitStrikes - 1, errors.GetProperty("rate_limited").GetInt64());
    }

    [Fact]
    public async Task UpdateConfig_takes_effect_for_the_next_request_and_an_invalid_update_changes_nothing()
    {
        await using var server = await StartAsync(o => o with { Rate = "1-M", SkipPaths = ["/ws/health"] });
        Assert.Equal(HttpStatusCode.OK, await GetAsync(server, "/ws/stats"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await GetAsync(server, "/ws/stats"));

        var limiter = server.Services.GetRequiredService<RateLimiter>();
        Assert.Throws<FormatException>(() => limiter.UpdateConfig(new RateLimiterOptions { Rate = "H-10" }));
        Assert.Equal(HttpStatusCode.TooManyRequests, await GetAsync(server, "/ws/stats"));

        limiter.UpdateConfig(new RateLimiterOptions { Rate = "100-M", SkipPaths = ["/ws/health"] });
        Assert.Equal(HttpStatusCode.OK, await GetAsync(server, "/ws/stats"));
    }

    [Fact]
    public async Task An_edited_settings_file_takes_effect_without_a_restart()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("switchboard-settings").FullName, "appsettings.json");
        static string Settings(string rate) => $$$"""{"RateLimiter":{"Rate":"{{{rate}}}","SkipPaths":["/ws/health"]}}""";
        await File.WriteAllTextAsync(file, Settings("1-M"));
        await using var server = await SwitchboardServer.StartAsync(rateLimiter: o => o, settingsFile: file);
        Assert.Equal(HttpStatusCode.OK, await GetAsync(server, "/ws/stats"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await GetAsync(server, "/ws/stats"));

        await File.WriteAllTextAsync(file, Settings("1000-M"));
        await Eventually.TrueAsync(async () => await GetAsync(server, "/ws/stats") == HttpStatusCode.OK, "the new rate applies");
    }

    [Fact]
    public async Task Observers_hear_every_decision()
    {
        var observer = new RecordingObserver();
        await using var server = await SwitchboardServer.StartAsync(rateLimiter: o => o with { Rate = "1-M", SkipPaths = ["/ws/health"] },
            services: s => s.AddSingleton<IRateLimitObserver>(observer));
        await GetAsync(server, "/ws/stats");
        await GetAsync(server, "/ws/stats");
        Assert.Equal(["allow /ws/stats", "deny /ws/stats"], observer.Decisions);
    }

    [Fact]
    public async Task Deny_status_and_message_are_settings()
    {
        await using var server = await StartAsync(o => o with
        {
            Rate = "1-M", SkipPaths = ["/ws/health"], DenyStatus = 503, DenyMessage = "Slow down", AddHeaders = false,
        });
        Assert.Equal(HttpStatusCode.OK, await GetAsync(server, "/ws/stats"));
        var denied = await server.Http.GetAsync("/ws/stats");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, denied.StatusCode);
        Assert.Equal("Slow down", (await denied.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("message").GetString());
        Assert.False(denied.Headers.Contains("X-RateLimit-Limit"));
        Assert.True(denied.Headers.Contains("Retry-After"));
    }

    [Fact]
    public async Task Store_factory_replaces_the_token_bucket_store()
    {
        var store = new CountingStore();
        await using var server = await SwitchboardServer.StartAsync(rateLimiter: o => o with { Rate = "1-M" },
            rateLimitStore: _ => store);
        Assert.Equal(HttpStatusCode.OK, await GetAsync(server, "/ws/stats"));
        Assert.Equal(HttpStatusCode.OK, await GetAsync(server, "/ws/stats"));
        Assert.True(store.Calls >= 2);
    }

    /// <summary>A store that admits everything and counts its calls.</summary>
    private sealed class CountingStore : Actors.RateLimiting.IRateLimitStore
    {
        private int _calls;
        public int Calls => _calls;

        public Task<Actors.RateLimiting.RateDecision> TakeAsync(string key, Actors.RateLimiting.Rate rate)
        {
            Interlocked.Increment(ref _calls);
            return Task.FromResult(new Actors.RateLimiting.RateDecision(true, rate, rate.Limit, TimeSpan.Zero, TimeSpan.Zero));
        }
    }

    private sealed class RecordingObserver : IRateLimitObserver
    {
        public List<string> Decisions { get; } = [];

        public void OnAllow(string route, string key)
        {
            lock (Decisions) Decisions.Add($"allow {route}");
        }

        public void OnDeny(string route, string key)
        {
            lock (Decisions) Decisions.Add($"deny {route}");
        }
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.IntegrationTests.Support;
using Switchboard.Service.RateLimiting;

namespace Switchboard.IntegrationTests;

/// <summary>The HTTP rate limiter with the Redis store: real hosts sharing a real redis-server.</summary>
public sealed class RedisRateLimiterTests
{
    private static Task<SwitchboardServer> StartAsync(RedisServer redis, Func<RateLimiterOptions, RateLimiterOptions> limiter) =>
        SwitchboardServer.StartAsync(rateLimiter: o => limiter(o with
        {
            Store = "redis", Redis = redis.ConnectionString, Identifier = "header", SkipPaths = ["/ws/health"],
        }));

    private static async Task<HttpResponseMessage> GetAsync(SwitchboardServer server, string clientId, string path = "/ws/stats")
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, server.AsSpelt(path));
        request.Headers.Add("X-Client-ID", clientId);
        return await server.Http.SendAsync(request);
    }

    private static long Remaining(HttpResponseMessage response) =>
        long.Parse(response.Headers.GetValues("X-RateLimit-Remaining").Single());

    [Fact]
    public async Task Two_instances_share_one_limit_kept_under_the_prefix()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var first = await StartAsync(redis, o => o with { Rate = "4-M", Prefix = "shared:" });
        await using var second = await StartAsync(redis, o => o with { Rate = "4-M", Prefix = "shared:" });

        var responses = new List<HttpResponseMessage>();
        for (var i = 0; i < 4; i++)
            responses.Add(await GetAsync(i % 2 == 0 ? first : second, "client"));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal([3L, 2, 1, 0], responses.Select(Remaining));

        var denied = await GetAsync(first, "client");
        Assert.Equal(HttpStatusCode.TooManyRequests, denied.StatusCode);
        Assert.InRange(long.Parse(denied.Headers.GetValues("Retry-After").Single()), 1, 15); // a token every 15 s
        Assert.Equal(HttpStatusCode.TooManyRequests, (await GetAsync(second, "client")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(second, "another")).StatusCode);
        Assert.Equal(":1\r\n", await redis.CommandAsync("EXISTS", "shared:header:client"));
    }

    [Fact]
    public async Task Spellings_of_a_route_on_two_instances_share_one_bucket_kept_under_the_normalised_route()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var first = await StartAsync(redis, o => o with { Rate = "1000-M", PerRouteRates = new() { ["/WS/Stats/"] = "2-M" } });
        await using var second = await StartAsync(redis, o => o with { Rate = "1000-M", PerRouteRates = new() { ["/ws/stats"] = "2-M" } });

        Assert.Equal(HttpStatusCode.OK, (await GetAsync(first, "respeller", "/ws/stats/")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(second, "respeller", "/WS/STATS")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await GetAsync(first, "respeller", "/ws/./Stats")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await GetAsync(second, "respeller")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(second, "honest")).StatusCode);
        Assert.Equal(":1\r\n", await redis.CommandAsync("EXISTS", "rl:/ws/stats|header:respeller"));
    }

    [Fact]
    public async Task Two_service_processes_set_up_by_environment_variables_share_one_limit()
    {
        await using var redis = await RedisServer.StartAsync();
        var environment = new Dictionary<string, string>
        {
            ["RateLimiter__Store"] = "redis",
            ["RateLimiter__Redis"] = redis.ConnectionString,
            ["RateLimiter__Prefix"] = "procs:",
            ["RateLimiter__Rate"] = "3-h",
            ["RateLimiter__SkipPaths__0"] = "/ws/health",
        };
        await using var first = ServiceProcess.Start(environment);
        await using var second = ServiceProcess.Start(environment);
        await Task.WhenAll(first.WaitUntilHealthyAsync(), second.WaitUntilHealthyAsync());
        using var toFirst = new HttpClient { BaseAddress = first.BaseUri };
        using var toSecond = new HttpClient { BaseAddress = second.BaseUri };

        var statuses = new List<HttpStatusCode>();
        foreach (var http in new[] { toFirst, toSecond, toFirst, toSecond })
            statuses.Add((await http.GetAsync("/ws/stats")).StatusCode);
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal(":1\r\n", await redis.CommandAsync("EXISTS", "procs:ip:127.0.0.1"));
    }

    [Fact]
    public async Task A_hundred_concurrent_requests_over_two_instances_admit_exactly_ten()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var first = await StartAsync(redis, o => o with { Rate = "10-M" });
        await using var second = await StartAsync(redis, o => o with { Rate = "10-M" });
        var statuses = await Task.WhenAll(Enumerable.Range(0, 100)
            .Select(async i => (await GetAsync(i % 2 == 0 ? first : second, "crowd")).StatusCode));
        Assert.Equal(10, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(90, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
    }

    [Fact]
    public async Task UpdateConfig_on_one_instance_reaches_the_other()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var first = await StartAsync(redis, o => o with { Rate = "1000-M" });
        await using var second = await StartAsync(redis, o => o with { Rate = "1000-M" });
        var secondLimiter = second.Services.GetRequiredService<RateLimiter>();

        var firstLimiter = first.Services.GetRequiredService<RateLimiter>();
        firstLimiter.UpdateConfig(firstLimiter.Policy.Options with { Rate = "1-M" });
        await Eventually.TrueAsync(() => secondLimiter.Policy.Rate?.Limit == 1, "the update reaches the second instance");

        Assert.Equal(HttpStatusCode.OK, (await GetAsync(second, "updated")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await GetAsync(second, "updated")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await GetAsync(first, "updated")).StatusCode);
    }

    [Fact]
    public async Task Redis_stopped_mid_test_fails_open_or_closed_as_set_and_limiting_resumes_when_it_is_back()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var open = await StartAsync(redis, o => o with { Rate = "2-M" });
        await using var closed = await StartAsync(redis, o => o with { Rate = "2-M", FailOpen = false });
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(open, "before")).StatusCode);

        await redis.StopAsync();
        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.OK, (await GetAsync(open, "during")).StatusCode);
        var refused = await GetAsync(closed, "during");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        var body = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("rate_limiter_unavailable", body.GetProperty("error").GetString());
        Assert.True((await open.StatsAsync()).GetProperty("rate_limit").GetProperty("store_failures").GetInt64() >= 3);
        Assert.Equal(HttpStatusCode.OK, (await open.Http.GetAsync("/ws/health")).StatusCode);

        await redis.StartAgainAsync();
        await Eventually.TrueAsync(async () => (await GetAsync(closed, "probe")).StatusCode == HttpStatusCode.OK,
            "the fail-closed instance decides again");
        // Each instance reconnects on its own schedule; failing open, a request passes without the limit's headers.
        await Eventually.TrueAsync(async () => (await GetAsync(open, "probe")).Headers.Contains("X-RateLimit-Remaining"),
            "the fail-open instance decides again");
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(closed, "after")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(open, "after")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await GetAsync(closed, "after")).StatusCode);
    }

    [Fact]
    public async Task Instance_starts_while_Redis_is_down_and_limits_once_it_is_up()
    {
        await using var redis = await RedisServer.StartAsync();
        await redis.StopAsync();
        await using var server = await StartAsync(redis, o => o with { Rate = "1-M" });
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(server, "early")).StatusCode); // fail open

        await redis.StartAgainAsync();
        await Eventually.TrueAsync(async () => (await GetAsync(server, "late")).StatusCode == HttpStatusCode.TooManyRequests,
            "the instance limits through Redis");

        // It also subscribed to the settings channel once Redis was up.
        await using var other = await StartAsync(redis, o => o with { Rate = "1-M" });
        var limiter = other.Services.GetRequiredService<RateLimiter>();
        limiter.UpdateConfig(limiter.Policy.Options with { Rate = "7-H" });
        await Eventually.TrueAsync(() => server.Services.GetRequiredService<RateLimiter>().Policy.Rate?.ToString() == "7-H",
            "the update reaches the instance that started while Redis was down");
    }
}

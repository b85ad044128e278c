using Switchboard.Service.RateLimiting;

namespace Switchboard.Service.Tests;

public sealed class RateLimitPolicyTests
{
    private static string Problem(RateLimiterOptions options) =>
        Assert.Throws<FormatException>(() => RateLimitPolicy.From(options)).Message;

    [Fact]
    public void Defaults_are_valid_and_let_everything_through() =>
        Assert.False(RateLimitPolicy.From(new RateLimiterOptions()).Enabled);

    [Theory]
    [InlineData("memory")]
    [InlineData("Redis")]
    public void Known_stores_are_accepted(string store) =>
        RateLimitPolicy.From(new RateLimiterOptions { Store = store, Redis = "127.0.0.1:6379" });

    [Fact]
    public void Unknown_store_is_named() =>
        Assert.Contains("RateLimiter:Store \"etcd\" is not one of memory, redis", Problem(new RateLimiterOptions { Store = "etcd" }));

    [Theory]
    [InlineData(null)]
    [InlineData(" ")]
    public void Redis_store_needs_a_connection_string(string? redis) =>
        Assert.Contains("RateLimiter:Redis is required", Problem(new RateLimiterOptions { Store = "redis", Redis = redis }));

    [Theory]
    [InlineData("127.0.0.1:6379,bogus=1")]
    [InlineData("password=secret")]
    public void Redis_connection_string_must_parse_and_name_a_server(string redis) =>
        Assert.Contains("RateLimiter:Redis", Problem(new RateLimiterOptions { Store = "redis", Redis = redis }));

    [Fact]
    public void Every_problem_is_listed_at_once()
    {
        var problem = Problem(new RateLimiterOptions
        {
            Rate = "10:S", PerRouteRates = new() { ["/a"] = "H-10" }, WhitelistCIDRs = ["10.0.0.0/33"], Identifier = "cookie", DenyStatus = 200,
        });
        Assert.Contains("RateLimiter:Rate", problem);
        Assert.Contains("RateLimiter:PerRouteRates:/a", problem);
        Assert.Contains("RateLimiter:WhitelistCIDRs \"10.0.0.0/33\"", problem);
        Assert.Contains("RateLimiter:Identifier \"cookie\"", problem);
        Assert.Contains("RateLimiter:DenyStatus 200", problem);
    }

    [Fact]
    public void Configured_routes_and_skip_paths_are_normalised_as_request_paths_are()
    {
        var policy = RateLimitPolicy.From(new RateLimiterOptions
        {
            Rate = "100-M", PerRouteRates = new() { ["/WS/Message/"] = "1-M" }, SkipPaths = ["/Static/"],
        });
        Assert.Equal("1-M", policy.RateFor("/ws/message", globalRateApplies: true, out var ownBuckets)?.ToString());
        Assert.True(ownBuckets);
        Assert.False(policy.Limits("/static"));
        Assert.False(policy.Limits("/static/app.js"));
        Assert.True(policy.Limits("/statistics")); // skipped by whole segments
    }

    [Fact]
    public void Two_spellings_of_one_route_are_refused() =>
        Assert.Contains("RateLimiter:PerRouteRates:/ws/./Message/ names the same route as /ws/message (/ws/message)",
            Problem(new RateLimiterOptions { PerRouteRates = new() { ["/ws/message"] = "1-M", ["/ws/./Message/"] = "2-M" } }));
}

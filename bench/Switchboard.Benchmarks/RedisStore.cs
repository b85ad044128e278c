using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Actors.RateLimiting;
using Switchboard.Service.RateLimiting;

namespace Switchboard.Benchmarks;

internal static class RedisStore
{
    /// <summary>The service's Redis store on the server BENCH_REDIS names (host:port), or null when it is not set.</summary>
    public static IRateLimitStore? Connect()
    {
        var endpoint = Environment.GetEnvironmentVariable("BENCH_REDIS");
        if (string.IsNullOrEmpty(endpoint))
            return null;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["RateLimiter:Rate"] = "1000000000-S",
            ["RateLimiter:Store"] = "redis",
            ["RateLimiter:Redis"] = endpoint,
            ["RateLimiter:Prefix"] = "bench:",
        }).Build();
        var limiter = new RateLimiter(configuration, null, NullLogger<RateLimiter>.Instance);
        return RedisRateLimitStore.Connect(limiter, NullLoggerFactory.Instance);
    }
}

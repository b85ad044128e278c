using System.Text.Json.Serialization;

namespace Switchboard.Service.RateLimiting;

/// <summary>
/// The HTTP rate limiter's settings, bound from the <c>RateLimiter</c> configuration section
/// (so <c>RateLimiter__Rate=200-M</c> as an environment variable). Without <see cref="Rate"/>
/// the limiter lets everything through.
/// </summary>
public sealed record RateLimiterOptions
{
    public const string SectionName = "RateLimiter";

    /// <summary>N-S, N-M, N-H or N-D, e.g. <c>200-M</c>.</summary>
    public string? Rate { get; init; }

    /// <summary>Path → rate, overriding <see cref="Rate"/> for requests to exactly that path.</summary>
    public Dictionary<string, string> PerRouteRates { get; init; } = new();

    /// <summary><c>ip</c>, <c>user</c>, <c>header</c> or <c>ip+route</c>.</summary>
    public string Identifier { get; init; } = "ip";

    /// <summary>The header that identifies a client with Identifier=header.</summary>
    public string HeaderName { get; init; } = "X-Client-ID";

    /// <summary>
    /// Proxies (CIDR) whose X-Forwarded-For is believed: the client is then the right-most
    /// address of X-Forwarded-For that is not a trusted proxy. Empty: the connection's address.
    /// </summary>
    public List<string> TrustedProxies { get; init; } = [];

    /// <summary>Clients in these ranges (IPv4 or IPv6 CIDR) are never limited.</summary>
    public List<string> WhitelistCIDRs { get; init; } = [];

    /// <summary>Path prefixes that are never limited: <c>/static/</c> skips everything under it.</summary>
    public List<string> SkipPaths { get; init; } = [];

    /// <summary>Send X-RateLimit-*, RateLimit and RateLimit-Policy on limited responses.</summary>
    public bool AddHeaders { get; init; } = true;

    public int DenyStatus { get; init; } = 429;
    public string DenyMessage { get; init; } = "Too Many Requests";

    /// <summary><c>memory</c> (default: buckets in this node's actors) or <c>redis</c> (buckets shared by every node).</summary>
    public string Store { get; init; } = "memory";

    [JsonIgnore]
    public bool UsesRedis => Store.Equals("redis", StringComparison.OrdinalIgnoreCase);

    /// <summary>A StackExchange.Redis connection string, e.g. <c>127.0.0.1:6379</c>; required by the Redis store.</summary>
    public string? Redis { get; init; }

    /// <summary>Prepended to every Redis key and to the settings channel.</summary>
    public string Prefix { get; init; } = "rl:";

    /// <summary>When the store cannot decide (Redis unreachable): allow the request (true) or refuse it with 503 (false).</summary>
    public bool FailOpen { get; init; } = true;

    /// <summary>Token buckets per node before idle ones are evicted (memory store).</summary>
    public int MaxKeys { get; init; } = 100_000;
}

using System.Net;
using Switchboard.Actors.RateLimiting;

namespace Switchboard.Service.RateLimiting;

/// <summary>
/// <see cref="RateLimiterOptions"/> checked and parsed once: every request is decided against
/// this, never against the raw strings.
/// </summary>
public sealed class RateLimitPolicy
{
    private static readonly string[] Identifiers = ["ip", "user", "header", "ip+route"];
    private static readonly string[] Stores = ["memory", "redis"];

    private readonly string[] _skipPaths;

    private RateLimitPolicy(RateLimiterOptions options, Rate? rate, Dictionary<string, Rate> perRoute, string[] skipPaths,
        List<IPNetwork> whitelist, List<IPNetwork> trustedProxies)
    {
        TrustedProxies = trustedProxies;
        Options = options;
        Rate = rate;
        PerRoute = perRoute;
        _skipPaths = skipPaths;
        Whitelist = whitelist;
    }

    public RateLimiterOptions Options { get; }
    public Rate? Rate { get; }

    /// <summary>The per-route rates, each configured path spelt as <see cref="RoutePath"/> spells it.</summary>
    public IReadOnlyDictionary<string, Rate> PerRoute { get; }

    public IReadOnlyList<IPNetwork> Whitelist { get; }
    public IReadOnlyList<IPNetwork> TrustedProxies { get; }
    public bool Enabled => Rate is not null || PerRoute.Count > 0;

    /// <summary>
    /// The rate that limits requests to <paramref name="route"/> (a <see cref="RoutePath"/>) unless their client is whitelisted:
    /// the route's own, with buckets of its own (<paramref name="ownBuckets"/>), else the global rate when
    /// <paramref name="globalRateApplies"/>; null when nothing limits them.
    /// </summary>
    public Rate? RateFor(string route, bool globalRateApplies, out bool ownBuckets)
    {
        ownBuckets = false;
        if (!Enabled || Skips(route))
            return null;
        if (PerRoute.TryGetValue(route, out var own))
        {
            ownBuckets = true;
            return own;
        }
        return globalRateApplies ? Rate : null;
    }

    /// <summary>Whether requests to <paramref name="route"/> (a <see cref="RoutePath"/>) are limited, unless their client is whitelisted.</summary>
    public bool Limits(string route) => RateFor(route, globalRateApplies: true, out _) is not null;

    // By whole segments, so that /static skips /static/app.js but not /statistics. A loop rather than LINQ: this runs on
    // every request, and a lambda capturing the route allocates each time.
    private bool Skips(string route)
    {
        foreach (var skipped in _skipPaths)
        {
            if (route.StartsWith(skipped, StringComparison.Ordinal)
                && (route.Length == skipped.Length || route[skipped.Length] == '/' || skipped.Length == 1))
                return true;
        }
        return false;
    }

    /// <exception cref="FormatException">A rate, CIDR, identifier or status is invalid; the message names it.</exception>
    public static RateLimitPolicy From(RateLimiterOptions options)
    {
        var problems = new List<string>();
        Rate? rate = null;
        if (!string.IsNullOrWhiteSpace(options.Rate))
            rate = Try(() => Actors.RateLimiting.Rate.Parse(options.Rate.Trim()), "RateLimiter:Rate", problems);
        var perRoute = PerRouteRates(options.PerRouteRates, problems);
        var whitelist = Networks(options.WhitelistCIDRs, "RateLimiter:WhitelistCIDRs", problems);
        var trustedProxies = Networks(options.TrustedProxies, "RateLimiter:TrustedProxies", problems);
        if (!Identifiers.Contains(options.Identifier, StringComparer.OrdinalIgnoreCase))
            problems.Add($"RateLimiter:Identifier \"{options.Identifier}\" is not one of {string.Join(", ", Identifiers)}");
        if (options.DenyStatus is < 400 or > 599)
            problems.Add($"RateLimiter:DenyStatus {options.DenyStatus} is not a 4xx or 5xx status");
        if (!Stores.Contains(options.Store, StringComparer.OrdinalIgnoreCase))
            problems.Add($"RateLimiter:Store \"{options.Store}\" is not one of {string.Join(", ", Stores)}");
        else if (options.UsesRedis)
            CheckRedis(options.Redis, problems);
        if (options.MaxKeys < 1)
            problems.Add($"RateLimiter:MaxKeys {options.MaxKeys} must be at least 1");
        return problems.Count == 0
            ? new RateLimitPolicy(options, rate, perRoute, options.SkipPaths.Select(RoutePath.Normalize).ToArray(), whitelist, trustedProxies)
            : throw new FormatException("Invalid rate limiter settings:" + Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => "  " + p)));
    }

    private static Dictionary<string, Rate> PerRouteRates(Dictionary<string, string> configured, List<string> problems)
    {
        var perRoute = new Dictionary<string, Rate>(StringComparer.Ordinal);
        var configuredAs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (path, text) in configured)
        {
            var route = RoutePath.Normalize(path);
            if (configuredAs.TryGetValue(route, out var first))
                problems.Add($"RateLimiter:PerRouteRates:{path} names the same route as {first} ({route}): give it one rate");
            else if (Try(() => Actors.RateLimiting.Rate.Parse(text.Trim()), $"RateLimiter:PerRouteRates:{path}", problems) is { } parsed)
                perRoute[route] = parsed;
            configuredAs.TryAdd(route, path);
        }
        return perRoute;
    }

    private static void CheckRedis(string? connectionString, List<string> problems)
    {
        if (RedisConnectionProblem(connectionString) is { } problem)
            problems.Add(string.IsNullOrWhiteSpace(connectionString)
                ? "RateLimiter:Redis is required with RateLimiter:Store=redis (e.g. 127.0.0.1:6379)"
                : $"RateLimiter:Redis \"{connectionString}\" {problem}");
    }

    /// <summary>What is wrong with a StackExchange.Redis configuration string, or null when it names a server.</summary>
    public static string? RedisConnectionProblem(string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
            return "is required (e.g. 127.0.0.1:6379)";
        try
        {
            return StackExchange.Redis.ConfigurationOptions.Parse(connectionString).EndPoints.Count == 0
                ? "names no server (e.g. 127.0.0.1:6379)"
                : null;
        }
        catch (ArgumentException e)
        {
            return $"is not a Redis connection string: {e.Message}";
        }
    }

    private static List<IPNetwork> Networks(IEnumerable<string> cidrs, string source, List<string> problems)
    {
        var networks = new List<IPNetwork>();
        foreach (var cidr in cidrs)
        {
            if (IPNetwork.TryParse(cidr.Trim(), out var network))
                networks.Add(network);
            else
                problems.Add($"{source} \"{cidr}\" is not an IPv4 or IPv6 CIDR (e.g. 10.0.0.0/8)");
        }
        return networks;
    }

    private static Rate? Try(Func<Rate> parse, string source, List<string> problems)
    {
        try
        {
            return parse();
        }
        catch (FormatException e)
        {
            problems.Add($"{source}: {e.Message}");
            return null;
        }
    }
}

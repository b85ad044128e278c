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

    private RateLimitPolicy(RateLimiterOptions options, Rate? rate, Dictionary<string, Rate> perRoute, List<IPNetwork> whitelist,
        List<IPNetwork> trustedProxies)
    {
        TrustedProxies = trustedProxies;
        Options = options;
        Rate = rate;
        PerRoute = perRoute;
        Whitelist = whitelist;
    }

    public RateLimiterOptions Options { get; }
    public Rate? Rate { get; }
    public IReadOnlyDictionary<string, Rate> PerRoute { get; }
    public IReadOnlyList<IPNetwork> Whitelist { get; }
    public IReadOnlyList<IPNetwork> TrustedProxies { get; }
    public bool Enabled => Rate is not null || PerRoute.Count > 0;

    /// <summary>Whether requests to <paramref name="path"/> are limited, unless their client is whitelisted.</summary>
    public bool Limits(string path) => Enabled && !Skips(path) && (Rate is not null || PerRoute.ContainsKey(path));

    // A loop rather than LINQ: this runs on every request, and a lambda capturing the path allocates each time.
    public bool Skips(string path)
    {
        foreach (var prefix in Options.SkipPaths)
            if (path.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                return true;
        return false;
    }

    /// <exception cref="FormatException">A rate, CIDR, identifier or status is invalid; the message names it.</exception>
    public static RateLimitPolicy From(RateLimiterOptions options)
    {
        var problems = new List<string>();
        Rate? rate = null;
        if (!string.IsNullOrWhiteSpace(options.Rate))
            rate = Try(() => Actors.RateLimiting.Rate.Parse(options.Rate.Trim()), "RateLimiter:Rate", problems);
        var perRoute = new Dictionary<string, Rate>(StringComparer.OrdinalIgnoreCase);
        foreach (var (path, text) in options.PerRouteRates)
        {
            if (Try(() => Actors.RateLimiting.Rate.Parse(text.Trim()), $"RateLimiter:PerRouteRates:{path}", problems) is { } parsed)
                perRoute[path] = parsed;
        }
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
            ? new RateLimitPolicy(options, rate, perRoute, whitelist, trustedProxies)
            : throw new FormatException("Invalid rate limiter settings:" + Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => "  " + p)));
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

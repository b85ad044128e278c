using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Service.RateLimiting;

namespace Switchboard.Service.Metrics;

/// <summary>
/// The rate limiter's decisions by route and result, for <c>switchboard_ratelimit_decisions_total</c>: the observer
/// the hub registers by default. A request is labelled with the <c>RateLimiter:PerRouteRates</c> route its path matched,
/// normalised as the limiter matches it (<see cref="RoutePath"/>), every other path with <see cref="DefaultRoute"/>, so
/// the labels stay bounded whatever paths clients call.
/// </summary>
public sealed class RateLimitDecisions(IServiceProvider services) : IRateLimitObserver
{
    public const string DefaultRoute = "default";

    // Null when the host did not add the rate limiter: then nothing is decided and only the zero series show.
    private readonly RateLimiter? _limiter = services.GetService<RateLimiter>();
    private readonly ConcurrentDictionary<string, Tally> _byRoute = new(StringComparer.Ordinal);

    public void OnAllow(string route, string key) => Interlocked.Increment(ref TallyOf(route).Allowed);

    public void OnDeny(string route, string key) => Interlocked.Increment(ref TallyOf(route).Denied);

    /// <summary>Every route label with its counts: the default route and the configured ones always, at 0 until decided.</summary>
    public IEnumerable<(string Route, long Allowed, long Denied)> ByRoute()
    {
        foreach (var route in ConfiguredRoutes().Append(DefaultRoute))
            _byRoute.GetOrAdd(route, static _ => new Tally());
        foreach (var (route, tally) in _byRoute)
            yield return (route, Volatile.Read(ref tally.Allowed), Volatile.Read(ref tally.Denied));
    }

    // The route comes normalised (RoutePath), as the policy keeps its routes.
    private Tally TallyOf(string route) =>
        _byRoute.GetOrAdd(_limiter?.Policy.PerRoute.ContainsKey(route) == true ? route : DefaultRoute, static _ => new Tally());

    private IEnumerable<string> ConfiguredRoutes() => _limiter?.Policy.PerRoute.Keys ?? Enumerable.Empty<string>();

    private sealed class Tally
    {
        public long Allowed;
        public long Denied;
    }
}

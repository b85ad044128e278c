using Akka.Actor;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Switchboard.Actors.RateLimiting;

namespace Switchboard.Service.RateLimiting;

public static class RateLimiterExtensions
{
    /// <summary>
    /// Adds the rate limiter: settings from the RateLimiter section, overlaid by <paramref name="configure"/>,
    /// token buckets in this node's actors or in Redis (RateLimiter:Store) unless <paramref name="storeFactory"/> provides the store.
    /// Observers are every registered <see cref="IRateLimitObserver"/>. Use it with <c>UseSwitchboardRateLimiter</c>.
    /// </summary>
    public static IServiceCollection AddSwitchboardRateLimiter(this IServiceCollection services,
        Func<RateLimiterOptions, RateLimiterOptions>? configure = null, Func<IServiceProvider, IRateLimitStore>? storeFactory = null)
    {
        services.AddSingleton(sp => new RateLimiter(sp.GetRequiredService<IConfiguration>(), configure,
            sp.GetRequiredService<ILogger<RateLimiter>>()));
        services.AddSingleton<RateLimitCounters>();
        services.AddSingleton(storeFactory ?? (sp =>
        {
            var limiter = sp.GetRequiredService<RateLimiter>();
            return limiter.Policy.Options.UsesRedis
                ? RedisRateLimitStore.Connect(limiter, sp.GetRequiredService<ILoggerFactory>())
                : MemoryRateLimitStore.Start(sp.GetRequiredService<ActorSystem>(), limiter.Policy.Options.MaxKeys);
        }));
        return services;
    }

    /// <summary>Limits the requests that follow; after routing, which finds the endpoints <see cref="ExemptFromGlobalRate{TBuilder}"/> marks.</summary>
    public static IApplicationBuilder UseSwitchboardRateLimiter(this IApplicationBuilder app) =>
        app.UseMiddleware<RateLimitMiddleware>();

    /// <summary>Exempts the endpoints from the global rate: only a per-route rate naming their path limits them.</summary>
    public static TBuilder ExemptFromGlobalRate<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ExemptFromGlobalRateAttribute());
}

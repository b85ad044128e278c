using Akka.Actor;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Actors.RateLimiting;

namespace Switchboard.Service.RateLimiting;

public static class RateLimiterExtensions
{
    /// <summary>
    /// Adds the rate limiter: settings from the RateLimiter section, overlaid by <paramref name="configure"/>,
    /// token buckets in this node's actors. Use it with <c>UseSwitchboardRateLimiter</c>.
    /// </summary>
    public static IServiceCollection AddSwitchboardRateLimiter(this IServiceCollection services,
        Func<RateLimiterOptions, RateLimiterOptions>? configure = null)
    {
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IConfiguration>().GetSection(RateLimiterOptions.SectionName).Get<RateLimiterOptions>()
                          ?? new RateLimiterOptions();
            return RateLimitPolicy.From(configure?.Invoke(options) ?? options);
        });
        services.AddSingleton<RateLimitCounters>();
        services.AddSingleton<IRateLimitStore>(sp =>
        {
            var system = sp.GetRequiredService<ActorSystem>();
            var maxKeys = sp.GetRequiredService<RateLimitPolicy>().Options.MaxKeys;
            var partitions = Environment.ProcessorCount * 2;
            return new MemoryRateLimitStore(Enumerable.Range(0, partitions)
                .Select(i => system.ActorOf(TokenBucketActor.PropsFor(Math.Max(1, maxKeys / partitions), TimeSpan.FromSeconds(30)),
                    $"rate-limit-{i}"))
                .ToList());
        });
        return services;
    }

    public static IApplicationBuilder UseSwitchboardRateLimiter(this IApplicationBuilder app) =>
        app.UseMiddleware<RateLimitMiddleware>();
}

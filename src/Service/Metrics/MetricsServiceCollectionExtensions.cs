using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using Switchboard.Service.Auth;
using Switchboard.Service.Http;
using Switchboard.Service.RateLimiting;

namespace Switchboard.Service.Metrics;

public static class MetricsServiceCollectionExtensions
{
    public const string ScrapePath = "/metrics";

    /// <summary>The platform's meters exported beside the hub's: the runtime's, ASP.NET Core's and Kestrel's.</summary>
    public static readonly string[] StandardMeters = ["System.Runtime", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel"];

    /// <summary>
    /// Adds the hub's metrics (docs/operations.md): its <see cref="SwitchboardMeter"/> and instruments, the counters they
    /// read, the rate limiter's observer, and OpenTelemetry's Prometheus exporter over them and <see cref="StandardMeters"/>,
    /// as <see cref="MetricsOptions"/> say. Called by <c>AddSwitchboard</c>; <see cref="MapMetrics"/> maps the endpoint.
    /// </summary>
    public static IServiceCollection AddSwitchboardMetrics(this IServiceCollection services)
    {
        services.AddSingleton(sp => MetricsOptionsLoader.Load(sp.GetRequiredService<IConfiguration>()));
        services.AddSingleton<SwitchboardMeter>();
        services.AddSingleton<RateLimitDecisions>();
        services.AddSingleton<IRateLimitObserver>(sp => sp.GetRequiredService<RateLimitDecisions>());
        services.AddSingleton<ShardingCensus>();
        services.AddHostedService(sp => sp.GetRequiredService<ShardingCensus>());
        services.AddHostedService<HubInstruments>();
        services.AddHostedService<HookInstruments>();
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("switchboard"))
            // Without the scope's name on every series: the names already say which meter they come from.
            .WithMetrics(metrics => metrics.AddPrometheusExporter(prometheus => prometheus.ScopeInfoEnabled = false));
        services.ConfigureOpenTelemetryMeterProvider((sp, metrics) =>
        {
            if (!sp.GetRequiredService<MetricsOptions>().Enabled)
                return;
            // Meters made by another host's factory (two hubs in one process) are that host's to export.
            var factory = sp.GetRequiredService<IMeterFactory>();
            metrics.AddMeter([SwitchboardMeter.Name, .. StandardMeters])
                .AddView(instrument => instrument.Meter.Scope is { } scope && !ReferenceEquals(scope, factory)
                    ? MetricStreamConfiguration.Drop
                    : null);
        });
        return services;
    }

    /// <summary>
    /// Maps <c>GET /metrics</c> at the root of <paramref name="endpoints"/>, where Prometheus looks whatever prefix the hub
    /// has, unless Metrics:Enabled is false; open, or behind the <c>read</c> scope with Metrics:RequireKey.
    /// </summary>
    public static void MapMetrics(this IEndpointRouteBuilder endpoints)
    {
        var options = endpoints.ServiceProvider.GetRequiredService<MetricsOptions>();
        if (!options.Enabled)
            return;
        endpoints.MapPrometheusScrapingEndpoint(ScrapePath, meterProvider: null,
            configureBranchedPipeline: options.RequireKey ? pipeline => pipeline.Use(RequireReadScope) : null, optionsName: null);
    }

    private static async Task RequireReadScope(HttpContext context, RequestDelegate next)
    {
        if (SwitchboardEndpoints.Refusal(context, ApiScopes.Read) is { } refusal)
            await refusal.Error.WriteAsync(context, refusal.Status);
        else
            await next(context);
    }
}

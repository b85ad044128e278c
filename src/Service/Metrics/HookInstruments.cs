using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Switchboard.Actors.Hooks;

namespace Switchboard.Service.Metrics;

/// <summary>
/// The hooks' series on the <see cref="SwitchboardMeter"/>, for each hook this node has configured (none without hooks):
/// <c>switchboard_hook_calls_total{hook,outcome}</c>, observed from <see cref="HookStats"/> at scrape time, and
/// <c>switchboard_hook_duration_seconds{hook}</c>, a histogram fed by every call made (<see cref="HookStats.OnCall"/>).
/// Labels come from fixed sets: the hooks' names and the outcomes.
/// </summary>
public sealed class HookInstruments(IServiceProvider services, MetricsOptions options) : IHostedService
{
    // The buckets of HookStats in seconds: from a backend on the same host (1 ms) to the longest Timeout worth waiting (10 s).
    public static readonly double[] DurationBuckets = HookStats.LatencyBoundsMs.Select(ms => ms / 1000).ToArray();

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var hooks = services.GetRequiredService<AppHooks>();
        var configured = HookKinds.All.Where(hooks.Has).ToArray();
        if (options.Enabled && configured.Length > 0)
            Publish(services.GetRequiredService<SwitchboardMeter>().Meter, services.GetRequiredService<HookStats>(), configured);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static void Publish(Meter meter, HookStats stats, HookKind[] configured)
    {
        meter.CreateObservableCounter("switchboard.hook.calls", () => configured.SelectMany(kind => HookStats.Outcomes.Select(outcome =>
                new Measurement<long>(stats.Calls(kind, outcome), Tag("hook", kind.Name()), Tag("outcome", HookStats.Label(outcome))))),
            description: "Calls of the application's hooks by hook and outcome: allowed, denied, failed, timed_out, busy (refused unasked)");
        var duration = meter.CreateHistogram("switchboard.hook.duration", "s",
            "Time from a hook call's start until its answer, failure or timeout, by hook",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        var tags = HookKinds.All.Select(k => Tag("hook", k.Name())).ToArray();
        stats.OnCall = (kind, _, seconds) => duration.Record(seconds, tags[(int)kind]);
    }

    private static KeyValuePair<string, object?> Tag(string name, string value) => new(name, value);
}

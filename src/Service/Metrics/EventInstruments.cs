using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Switchboard.Actors.Events;
using Switchboard.Service.Events;

namespace Switchboard.Service.Metrics;

/// <summary>
/// The lifecycle events' series on the <see cref="SwitchboardMeter"/> (docs/operations.md), published only when
/// <c>Events:Url</c> is set: observable instruments over the <see cref="EventCounters"/> the node's sender keeps.
/// </summary>
public sealed class EventInstruments(IServiceProvider services, MetricsOptions options, EventsSettings events) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Enabled || events.Url is null)
            return Task.CompletedTask;
        var meter = services.GetRequiredService<SwitchboardMeter>().Meter;
        var counters = services.GetRequiredService<EventCounters>();
        meter.CreateObservableCounter("switchboard.events.sent", () => counters.Sent,
            description: "Lifecycle events the application took (answered 2xx), a resent batch's each time");
        meter.CreateObservableGauge("switchboard.events.pending", () => counters.Pending,
            description: "Lifecycle events waiting on this node for the application (at most Events:MaxPending)");
        meter.CreateObservableCounter("switchboard.events.retried", () => counters.Retried,
            description: "Batches of lifecycle events the application did not take, sent again after a backoff");
        meter.CreateObservableCounter("switchboard.events.dropped", () => counters.Dropped,
            description: "Lifecycle events dropped, oldest first, while more than Events:MaxPending waited");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

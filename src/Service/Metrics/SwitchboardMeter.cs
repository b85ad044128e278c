using System.Diagnostics.Metrics;
using Switchboard.Streams.Outbound;

namespace Switchboard.Service.Metrics;

/// <summary>
/// This host's <c>Switchboard</c> meter (made by the host's <see cref="IMeterFactory"/>, so two hubs in one process keep
/// apart) and the delivery clock that feeds its one recorded instrument, the delivery histogram. Everything else on the
/// meter is observed at scrape time (<see cref="HubInstruments"/>).
/// </summary>
public sealed class SwitchboardMeter
{
    public const string Name = "Switchboard";

    // From half a millisecond, a delivery within one node, to ten seconds, a peer that stalls.
    private static readonly double[] DeliveryBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    public SwitchboardMeter(IMeterFactory factory, MetricsOptions options)
    {
        Meter = factory.Create(Name);
        var seconds = Meter.CreateHistogram("switchboard.delivery", "s",
            "Time from a node's acceptance of a message until a recipient's socket on this node took it, for a sample of messages",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DeliveryBuckets });
        DeliveryClock = options.Enabled ? new DeliveryClock(options.DeliverySampleEvery, seconds) : DeliveryClock.Off;
    }

    public Meter Meter { get; }

    /// <summary>Handed to the connection counters, so that every connection's writer times the sampled frames.</summary>
    public DeliveryClock DeliveryClock { get; }
}

using System.Diagnostics.Metrics;

namespace Switchboard.Streams.Outbound;

/// <summary>
/// Times messages from their acceptance by a node until a recipient's socket pipe took them. Only one message in
/// <c>sampleEvery</c> is stamped, and the writer reads the clock only for stamped frames, so an unsampled message costs
/// one counter increment where it is accepted and one field test per recipient; a sampled one is observed once per
/// recipient it reaches. The stamp is wall-clock time, as it travels with the frame to the recipients' nodes: across
/// hosts the figure includes the difference of their clocks.
/// </summary>
public sealed class DeliveryClock
{
    public static readonly DeliveryClock Off = new(0, null);

    private readonly int _sampleEvery;
    private readonly Histogram<double>? _seconds;
    private int _accepted;

    /// <param name="sampleEvery">Stamp one accepted message in this many; 0 stamps none.</param>
    /// <param name="seconds">Where each sampled delivery's time goes, in seconds.</param>
    public DeliveryClock(int sampleEvery, Histogram<double>? seconds)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sampleEvery);
        _sampleEvery = seconds is null ? 0 : sampleEvery;
        _seconds = seconds;
    }

    /// <summary>Called once per message this node accepts, before it is routed; returns <paramref name="frame"/>.</summary>
    public OutboundFrame Accepted(OutboundFrame frame)
    {
        // Not Interlocked: a lost increment under a race only shifts which message is sampled.
        if (_sampleEvery != 0 && ++_accepted % _sampleEvery == 0)
            frame.AcceptedAt = DateTime.UtcNow.Ticks;
        return frame;
    }

    /// <summary>A stamped frame went into a recipient's socket pipe at <paramref name="now"/> (UTC ticks).</summary>
    internal void Written(OutboundFrame frame, long now) =>
        _seconds?.Record(Math.Max(0, now - frame.AcceptedAt) / (double)TimeSpan.TicksPerSecond); // a clock stepped back reads 0
}

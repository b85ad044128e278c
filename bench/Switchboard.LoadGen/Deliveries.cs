using System.Diagnostics;

namespace Switchboard.LoadGen;

/// <summary>Every benchmark message received: how many, and each one's latency (receive time minus the "t" it carries).</summary>
public sealed class Deliveries(int capacity)
{
    private readonly long[] _latencies = new long[capacity];
    private long _count;

    private long _presenceEvents;
    private long _coalescedStats;

    public long Count => Interlocked.Read(ref _count);

    /// <summary><c>presence_join</c> and <c>presence_leave</c> frames received.</summary>
    public long PresenceEvents => Interlocked.Read(ref _presenceEvents);

    /// <summary>Coalesced <c>presence_stats</c> frames received (sent instead of events past a group's budget).</summary>
    public long CoalescedStats => Interlocked.Read(ref _coalescedStats);

    /// <summary>Counts a frame whose type begins with <c>presence</c>: an event, or stats sent in their place.</summary>
    public void RecordPresence(ReadOnlySpan<byte> frame)
    {
        if (frame.StartsWith("{\"type\":\"presence_join\""u8) || frame.StartsWith("{\"type\":\"presence_leave\""u8))
            Interlocked.Increment(ref _presenceEvents);
        else if (frame.IndexOf("\"coalesced\":true"u8) >= 0)
            Interlocked.Increment(ref _coalescedStats);
    }

    public void Record(long sentAt)
    {
        var now = Stopwatch.GetTimestamp();
        var index = Interlocked.Increment(ref _count) - 1;
        if (index < _latencies.Length)
            _latencies[index] = now - sentAt;
    }

    /// <summary>The longest latency among the deliveries from the <paramref name="first"/>th on.</summary>
    public long MaxLatencySince(long first)
    {
        var end = Math.Min(Count, _latencies.Length);
        var max = 0L;
        for (var i = first; i < end; i++)
            max = Math.Max(max, _latencies[i]);
        return max;
    }

    /// <summary>Latency percentiles in milliseconds over the deliveries recorded so far.</summary>
    public LatencySummary Latencies() => LatenciesSince(0);

    /// <summary>Latency percentiles over the deliveries from the <paramref name="first"/>th on.</summary>
    public LatencySummary LatenciesSince(long first)
    {
        var end = (int)Math.Min(Count, _latencies.Length);
        var sorted = _latencies[(int)Math.Min(first, end)..end];
        Array.Sort(sorted);
        return LatencySummary.Of(sorted);
    }
}

public sealed record LatencySummary(double P50, double P99, double P999, double Max)
{
    public static LatencySummary Of(long[] sortedTicks)
    {
        if (sortedTicks.Length == 0)
            return new LatencySummary(0, 0, 0, 0);
        double At(double quantile) => Milliseconds(sortedTicks[Math.Min(sortedTicks.Length - 1, (int)(quantile * sortedTicks.Length))]);
        return new LatencySummary(At(0.50), At(0.99), At(0.999), Milliseconds(sortedTicks[^1]));
    }

    public static double Milliseconds(long ticks) => Math.Round(ticks * 1000.0 / Stopwatch.Frequency, 3);
}

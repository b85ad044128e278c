namespace Switchboard.Actors.Hooks;

/// <summary>
/// Each hook's calls per second over the last <see cref="Window"/>: samples of <see cref="HookStats"/>' totals, taken by
/// the admin agent every second, and the difference between now and the oldest sample still in the window. Kept on the
/// node, so that one admin request (<c>sbctl hooks</c>, the dashboard) gets a rate without sampling twice itself.
/// </summary>
public sealed class HookRates
{
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    private readonly Queue<(long AtMs, long[] Totals)> _samples = new();

    /// <summary>Every call asked of the hook, whatever its outcome (busy refusals included).</summary>
    public static long Total(HookStats stats, HookKind kind) => HookStats.Outcomes.Sum(o => stats.Calls(kind, o));

    public static long[] Totals(HookStats stats) => HookKinds.All.Select(k => Total(stats, k)).ToArray();

    /// <summary>Takes a sample of <paramref name="totals"/> (by <see cref="HookKind"/>) at <paramref name="atMs"/>, forgetting those past the window.</summary>
    public void Sample(long atMs, long[] totals)
    {
        _samples.Enqueue((atMs, totals));
        while (_samples.Peek().AtMs < atMs - (long)Window.TotalMilliseconds)
            _samples.Dequeue();
    }

    /// <summary>Calls per second of <paramref name="kind"/> from the oldest sample in the window until now; 0 before a sample older than now.</summary>
    public double PerSecond(HookKind kind, long nowMs, long total)
    {
        if (!_samples.TryPeek(out var oldest) || nowMs <= oldest.AtMs)
            return 0;
        return Math.Max(0, total - oldest.Totals[(int)kind]) * 1000.0 / (nowMs - oldest.AtMs);
    }
}

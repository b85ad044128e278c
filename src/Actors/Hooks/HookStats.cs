using System.Diagnostics;

namespace Switchboard.Actors.Hooks;

/// <summary>How a hook call ended; the <c>outcome</c> label of <c>switchboard_hook_calls_total</c>.</summary>
public enum HookOutcome
{
    /// <summary>Answered, and the answer lets the action go on (an rpc's <c>result</c>).</summary>
    Allowed,

    /// <summary>Answered with a refusal (an rpc's <c>error</c>).</summary>
    Denied,

    /// <summary>Unreachable, another status, or an answer not of the hook's shape or breaking its rules.</summary>
    Failed,

    /// <summary>No answer within <c>Hooks:&lt;Hook&gt;:Timeout</c>.</summary>
    TimedOut,

    /// <summary>Not called: <c>Hooks:&lt;Hook&gt;:MaxConcurrent</c> calls were in flight.</summary>
    Busy,
}

/// <summary>
/// This node's hook calls, counted by hook and outcome, with their latencies in fixed buckets: what the metrics publish and
/// <c>sbctl hooks</c> gathers. Lock-free; a call costs two increments.
/// </summary>
public sealed class HookStats
{
    public static readonly HookOutcome[] Outcomes = Enum.GetValues<HookOutcome>();

    private static readonly string[] OutcomeLabels = ["allowed", "denied", "failed", "timed_out", "busy"];

    /// <summary>The upper bounds of the latency buckets, in milliseconds; a last bucket takes the rest.</summary>
    public static readonly double[] LatencyBoundsMs = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000];

    private readonly long[] _calls = new long[HookKinds.All.Length * Outcomes.Length];
    private readonly long[] _latency = new long[HookKinds.All.Length * (LatencyBoundsMs.Length + 1)];

    /// <summary>Told of every call that was made (not a busy refusal), for a histogram an exporter keeps.</summary>
    public Action<HookKind, HookOutcome, double>? OnCall { get; set; }

    public static string Label(HookOutcome outcome) => OutcomeLabels[(int)outcome];

    public long Calls(HookKind kind, HookOutcome outcome) => Volatile.Read(ref _calls[(int)kind * Outcomes.Length + (int)outcome]);

    /// <summary>Calls per latency bucket (<see cref="LatencyBoundsMs"/>, then the rest).</summary>
    public long[] Latency(HookKind kind)
    {
        var width = LatencyBoundsMs.Length + 1;
        var buckets = new long[width];
        for (var i = 0; i < width; i++)
            buckets[i] = Volatile.Read(ref _latency[(int)kind * width + i]);
        return buckets;
    }

    internal void Busy(HookKind kind) => Interlocked.Increment(ref _calls[(int)kind * Outcomes.Length + (int)HookOutcome.Busy]);

    internal void Record(HookKind kind, HookOutcome outcome, long startedAt)
    {
        var ms = Stopwatch.GetElapsedTime(startedAt).TotalMilliseconds;
        Interlocked.Increment(ref _calls[(int)kind * Outcomes.Length + (int)outcome]);
        var bucket = Array.BinarySearch(LatencyBoundsMs, ms);
        bucket = bucket >= 0 ? bucket : ~bucket;
        Interlocked.Increment(ref _latency[(int)kind * (LatencyBoundsMs.Length + 1) + bucket]);
        OnCall?.Invoke(kind, outcome, ms / 1000);
    }
}

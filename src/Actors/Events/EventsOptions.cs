namespace Switchboard.Actors.Events;

/// <summary>How a node's lifecycle events are gathered, bounded and retried (PROTOCOL.md "Lifecycle events").</summary>
/// <param name="BatchSize">The most events in one POST (<c>Events:BatchSize</c>).</param>
/// <param name="MaxPending">The most events waiting on this node; past it the oldest are dropped (<c>Events:MaxPending</c>).</param>
/// <param name="GatherFor">How long the first event of a batch waits for others before the batch goes.</param>
/// <param name="FirstRetry">The wait before a failed batch is sent again; it doubles up to <paramref name="MaxRetry"/>.</param>
public sealed record EventsOptions(int BatchSize, int MaxPending, TimeSpan GatherFor, TimeSpan FirstRetry, TimeSpan MaxRetry)
{
    public const int DefaultBatchSize = 100;
    public const int DefaultMaxPending = 100_000;

    public static readonly EventsOptions Default = new(DefaultBatchSize, DefaultMaxPending, TimeSpan.FromMilliseconds(100),
        TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60));
}

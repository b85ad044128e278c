namespace Switchboard.Actors.History;

/// <summary>
/// How much of each stream the entities keep (PROTOCOL.md "Streams, history and resume"): <see cref="Size"/> messages
/// per stream for <see cref="Ttl"/>, and at most <see cref="MaxBytes"/> of them on one node. A size of 0 turns history,
/// and with it <c>seq</c>, resume and receipts, off.
/// </summary>
public sealed record HistoryOptions(int Size, TimeSpan Ttl, long MaxBytes)
{
    public const long DefaultMaxBytes = 64L * 1024 * 1024;

    public static readonly HistoryOptions Off = new(0, TimeSpan.FromSeconds(300), DefaultMaxBytes);

    public bool IsOn => Size > 0;

    /// <summary>How often an entity drops what has outlived <see cref="Ttl"/>.</summary>
    public TimeSpan SweepInterval => TimeSpan.FromMilliseconds(Math.Clamp(Ttl.TotalMilliseconds / 4, 250, 30_000));
}

namespace Switchboard.Actors.History;

/// <summary>
/// How much of each stream the entities keep (PROTOCOL.md "Streams, history and resume"): <see cref="Size"/> messages
/// per stream for <see cref="Ttl"/> (and, on one node, no more than its <see cref="HistoryBudget"/>). A size of 0 turns
/// history, and with it <c>seq</c>, resume and receipts, off.
/// </summary>
public sealed record HistoryOptions(int Size, TimeSpan Ttl)
{
    /// <summary>How long a kept message stays resumable unless WEBSOCKET_HISTORY_TTL says otherwise.</summary>
    public static readonly TimeSpan DefaultTtl = TimeSpan.FromSeconds(300);

    public bool IsOn => Size > 0;

    /// <summary>How often an entity drops what has outlived <see cref="Ttl"/>.</summary>
    public TimeSpan SweepInterval => TimeSpan.FromMilliseconds(Math.Clamp(Ttl.TotalMilliseconds / 4, 250, 30_000));
}

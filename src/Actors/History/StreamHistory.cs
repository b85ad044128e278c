using System.Text;
using Akka.Actor;
using Switchboard.Streams.Outbound;

namespace Switchboard.Actors.History;

/// <summary>
/// One stream as its entity keeps it in memory: the numbers it gave, the last messages (at most the history size, none
/// older than the TTL), what each came from (so a resend is recognised), and how far the user confirmed. Lives inside
/// the entity that decides the stream's order; touched only by that actor.
/// </summary>
public sealed class StreamHistory(string epoch)
{
    // A message's overhead beside its frame bytes, for the node's budget: the entry, its keys and queue slot.
    private const int EntryOverhead = 160;

    private readonly Queue<Entry> _entries = new();
    private Dictionary<string, Entry>? _bySender;
    private Dictionary<(IActorRef Relay, long Seq), Entry>? _byStamp;

    public string Epoch { get; } = epoch;
    public long LastSeq { get; private set; }

    /// <summary>The highest <c>seq</c> a device of the user confirmed with <c>received</c>.</summary>
    public long DeliveredSeq { get; private set; }

    /// <summary>What the kept messages cost the node, as the budget counts it.</summary>
    public long Bytes { get; private set; }

    /// <summary>When the last message arrived (Environment.TickCount64), for evicting the stalest stream first.</summary>
    public long LastAppendAt { get; private set; }

    public int Count => _entries.Count;
    public StreamPosition Position => new(Epoch, LastSeq);

    /// <summary>A message already numbered: the same sender and id, or another copy of the same relayed message.</summary>
    public Entry? Find(string? sender, ReadOnlyMemory<byte> messageId, IActorRef? relay, long relaySeq)
    {
        if (!messageId.IsEmpty && sender is not null && _bySender?.GetValueOrDefault(SenderKey(sender, messageId)) is { } sent)
            return sent;
        return relay is not null ? _byStamp?.GetValueOrDefault((relay, relaySeq)) : null;
    }

    /// <summary>Numbers <paramref name="frame"/>, keeps it and returns the entry, with the frame as recipients get it.</summary>
    public Entry Append(OutboundFrame frame, string? sender, ReadOnlyMemory<byte> messageId, bool wantsReceipt, IActorRef? relay,
        long relaySeq, long now, long expiresAt)
    {
        var numbered = frame.WithSeq(++LastSeq);
        var entry = new Entry(LastSeq, numbered, expiresAt, sender, messageId.IsEmpty ? null : messageId.ToArray(), wantsReceipt,
            relay, relaySeq);
        _entries.Enqueue(entry);
        if (entry.MessageId is not null && sender is not null)
            (_bySender ??= new Dictionary<string, Entry>())[SenderKey(sender, entry.MessageId)] = entry;
        if (relay is not null)
            (_byStamp ??= new Dictionary<(IActorRef, long), Entry>())[(relay, relaySeq)] = entry;
        Bytes += entry.Cost;
        LastAppendAt = now;
        return entry;
    }

    /// <summary>Drops the oldest messages beyond <paramref name="size"/> and those expired by <paramref name="now"/>; returns what that freed.</summary>
    public (long Bytes, int Messages) Trim(int size, long now)
    {
        long freed = 0;
        var count = 0;
        while (_entries.TryPeek(out var oldest) && (_entries.Count > size || oldest.ExpiresAt <= now))
        {
            _entries.Dequeue();
            if (oldest.MessageId is not null && oldest.Sender is not null)
                _bySender!.Remove(SenderKey(oldest.Sender, oldest.MessageId));
            if (oldest.Relay is not null)
                _byStamp!.Remove((oldest.Relay, oldest.RelaySeq));
            freed += oldest.Cost;
            count++;
        }
        Bytes -= freed;
        return (freed, count);
    }

    /// <summary>
    /// The messages after <paramref name="from"/>, oldest first; null when they cannot all be given: another epoch, a
    /// position past the stream's end, or history that no longer reaches back that far.
    /// </summary>
    public IReadOnlyList<OutboundFrame>? After(StreamPosition from)
    {
        if (from.Epoch != Epoch || from.Seq > LastSeq || from.Seq < 0)
            return null;
        if (from.Seq == LastSeq)
            return [];
        var firstKept = _entries.TryPeek(out var oldest) ? oldest.Seq : LastSeq + 1;
        if (firstKept > from.Seq + 1)
            return null;
        return _entries.Where(e => e.Seq > from.Seq).Select(e => e.Frame).ToList();
    }

    /// <summary>The kept messages after <paramref name="seq"/>, for the HTTP history endpoint.</summary>
    public IReadOnlyList<Entry> Since(long seq) => _entries.Where(e => e.Seq > seq).ToList();

    /// <summary>
    /// Takes a <c>received</c> confirmation: the user's devices have shown everything up to <paramref name="seq"/> (a
    /// larger number than the stream's last counts as the last). Returns the kept messages it newly covers that asked for
    /// a receipt.
    /// </summary>
    public IReadOnlyList<Entry> Confirm(long seq)
    {
        seq = Math.Min(seq, LastSeq);
        if (seq <= DeliveredSeq)
            return [];
        var from = DeliveredSeq;
        DeliveredSeq = seq;
        return _entries.Where(e => e.WantsReceipt && e.Seq > from && e.Seq <= seq).ToList();
    }

    private static string SenderKey(string sender, ReadOnlyMemory<byte> messageId) =>
        string.Concat(sender, "\n", Encoding.UTF8.GetString(messageId.Span));

    /// <summary>A kept message; <see cref="MessageId"/> is the sender's raw JSON id, when it gave one.</summary>
    public sealed record Entry(long Seq, OutboundFrame Frame, long ExpiresAt, string? Sender, byte[]? MessageId, bool WantsReceipt,
        IActorRef? Relay, long RelaySeq)
    {
        public long Cost => Frame.Bytes.Length + (MessageId?.Length ?? 0) + EntryOverhead;
    }
}

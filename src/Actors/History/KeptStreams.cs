using Switchboard.Actors.Routing;
using Switchboard.Streams.Outbound;

namespace Switchboard.Actors.History;

/// <summary>
/// The streams one entity keeps (a user bucket's users, a group's own), in memory (History:Store=memory):
/// lost with the entity, after which each stream starts again under a new epoch. Counts what it keeps against the node's
/// <see cref="HistoryBudget"/> and, past it, evicts its stalest streams first.
/// </summary>
public sealed class KeptStreams(HistoryOptions options, HistoryBudget budget)
{
    /// <summary>The size and TTL of what is appended from now on; a namespace's reload changes them.</summary>
    public HistoryOptions Options { get; set; } = options;

    private readonly Dictionary<string, StreamHistory> _streams = new();

    public int Count => _streams.Count;

    public StreamHistory? Of(string id) => _streams.GetValueOrDefault(id);

    /// <summary>The stream of <paramref name="id"/>; <c>created</c> when it had none here (never had one, or it was lost or evicted).</summary>
    public (StreamHistory Stream, bool Created) For(string id)
    {
        if (_streams.TryGetValue(id, out var stream))
            return (stream, false);
        _streams[id] = stream = new StreamHistory(StreamPosition.NewEpoch());
        return (stream, true);
    }

    /// <summary>Numbers and keeps a routed message; <paramref name="stamp"/> is the relay's, to recognise its resends.</summary>
    public StreamHistory.Entry Append(StreamHistory stream, OutboundFrame frame, string? sender, ReadOnlyMemory<byte> messageId,
        bool wantsReceipt, RelayStamp? stamp)
    {
        var now = Environment.TickCount64;
        if (budget.IsOver)
            EvictStalest(keep: stream);
        var bytes = stream.Bytes;
        var entry = stream.Append(frame, sender, messageId, wantsReceipt, stamp?.Relay, stamp?.Seq ?? 0,
            now, now + (long)Options.Ttl.TotalMilliseconds);
        var (_, dropped) = stream.Trim(Options.Size, now);
        budget.Add(stream.Bytes - bytes, 1 - dropped);
        return entry;
    }

    /// <summary>Drops expired messages, and the streams left empty that no connection follows (<paramref name="isFollowed"/>).</summary>
    public void Sweep(Func<string, bool> isFollowed)
    {
        var now = Environment.TickCount64;
        List<string>? empty = null;
        foreach (var (userId, stream) in _streams)
        {
            var (freed, dropped) = stream.Trim(Options.Size, now);
            budget.Remove(freed, dropped);
            if (stream.Count == 0 && !isFollowed(userId))
                (empty ??= []).Add(userId);
        }
        foreach (var userId in empty ?? [])
            _streams.Remove(userId);
    }

    /// <summary>Gives back what this entity kept, when it stops: its streams go with it.</summary>
    public void Release()
    {
        foreach (var stream in _streams.Values)
            budget.Remove(stream.Bytes, stream.Count);
        _streams.Clear();
    }

    private void EvictStalest(StreamHistory keep)
    {
        foreach (var (userId, stream) in _streams.Where(s => s.Value != keep).OrderBy(s => s.Value.LastAppendAt).ToList())
        {
            if (!budget.IsOver)
                return;
            budget.Remove(stream.Bytes, stream.Count);
            _streams.Remove(userId);
        }
    }
}

using Switchboard.Actors.Routing;

namespace Switchboard.Actors.History;

/// <summary>
/// The streams of one user-router entity's users, in memory (History:Store=memory): lost with the entity, after which
/// each stream starts again under a new epoch. Counts what it keeps against the node's <see cref="HistoryBudget"/> and,
/// past it, evicts its stalest streams first.
/// </summary>
public sealed class UserStreams(HistoryOptions options, HistoryBudget budget)
{
    private readonly Dictionary<string, StreamHistory> _streams = new();

    public HistoryOptions Options => options;
    public int Count => _streams.Count;

    public StreamHistory? Of(string userId) => _streams.GetValueOrDefault(userId);

    /// <summary>The user's stream; <c>created</c> when it had none here (never had one, or it was lost or evicted).</summary>
    public (StreamHistory Stream, bool Created) For(string userId)
    {
        if (_streams.TryGetValue(userId, out var stream))
            return (stream, false);
        _streams[userId] = stream = new StreamHistory(StreamPosition.NewEpoch());
        return (stream, true);
    }

    public StreamHistory.Entry Append(StreamHistory stream, UserProtocol.SendToUser send)
    {
        var now = Environment.TickCount64;
        if (budget.IsOver)
            EvictStalest(keep: stream);
        var bytes = stream.Bytes;
        var entry = stream.Append(send.Frame, send.Sender, send.MessageId, send.WantsReceipt, send.Stamp?.Relay, send.Stamp?.Seq ?? 0,
            now, now + (long)options.Ttl.TotalMilliseconds);
        var (_, dropped) = stream.Trim(options.Size, now);
        budget.Add(stream.Bytes - bytes, 1 - dropped);
        return entry;
    }

    /// <summary>Drops expired messages, and the streams left empty whose users have no connection (<paramref name="isConnected"/>).</summary>
    public void Sweep(Func<string, bool> isConnected)
    {
        var now = Environment.TickCount64;
        List<string>? empty = null;
        foreach (var (userId, stream) in _streams)
        {
            var (freed, dropped) = stream.Trim(options.Size, now);
            budget.Remove(freed, dropped);
            if (stream.Count == 0 && !isConnected(userId))
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

namespace Switchboard.Actors.History;

/// <summary>
/// History in the entity (History:Store=memory), in its <see cref="KeptStreams"/>: a message is numbered at once, and what
/// is kept is lost with the entity, after which each stream starts again under a new epoch.
/// </summary>
public sealed class MemoryHistory(HistoryOptions options, HistoryBudget budget) : IStreamKeeper
{
    private readonly KeptStreams _streams = new(options, budget);

    public bool KeepsHistory => true;
    public TimeSpan? SweepInterval => options.SweepInterval;
    public bool HoldsNothing => _streams.Count == 0;

    public bool TakeAnswer(object message) => false;

    public StreamPosition? StartIfNew(string stream)
    {
        var (kept, created) = _streams.For(stream);
        return created ? kept.Position : null;
    }

    public void Append<T>(string stream, T message, Action<T, Numbering> then) where T : IStreamMessage
    {
        var (kept, created) = _streams.For(stream);
        var stamp = message.Stamp;
        if (kept.Find(message.Sender, message.MessageId, stamp?.Relay, stamp?.Seq ?? 0) is { } earlier)
        {
            // A resend keeps its first number. A copy the relay sent again goes to the nodes again (they drop what they
            // already have); a client's resend does not.
            var relayedAgain = stamp is { Resent: true } && earlier.Relay == stamp.Relay && earlier.RelaySeq == stamp.Seq;
            then(message, Numbering.Numbered(earlier.Seq, relayedAgain ? earlier.Frame : null));
            return;
        }
        var entry = _streams.Append(kept, message.Frame, message.Sender, message.MessageId, message.WantsReceipt, stamp);
        then(message, Numbering.Numbered(entry.Seq, entry.Frame, created ? kept.Epoch : null));
    }

    public void Read(string stream, bool open, Action<StreamRead?> then, StreamPosition? resume = null, long? since = null)
    {
        var kept = open ? _streams.For(stream).Stream : _streams.Of(stream);
        if (kept is null)
        {
            then(StreamRead.None);
            return;
        }
        var messages = resume is { } from ? kept.After(from)
            : since is { } after ? kept.Since(after).Select(e => e.Frame).ToList()
            : null;
        then(new StreamRead(kept.Position, kept.DeliveredSeq, messages));
    }

    public void Confirm(string stream, long seq, Action<IReadOnlyList<StreamReceipt>> then)
    {
        if (_streams.Of(stream) is not { } kept)
        {
            then([]);
            return;
        }
        then(kept.Confirm(seq).Select(e => new StreamReceipt(e.Seq, e.Sender!, e.MessageId!)).ToList());
    }

    public void Sweep(Func<string, bool> isFollowed) => _streams.Sweep(isFollowed);

    public void Release() => _streams.Release();

    public void Limit(HistoryOptions history) => _streams.Options = history;
}

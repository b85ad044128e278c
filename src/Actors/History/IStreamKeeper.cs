namespace Switchboard.Actors.History;

/// <summary>
/// How an entity keeps the history of its streams, chosen once when the entity starts (<see cref="StreamKeepers.Choose"/>):
/// not at all (<see cref="NoHistory"/>), in the entity (<see cref="MemoryHistory"/>), or in a store every node shares
/// (<see cref="StoredHistory"/>). The entity asks each the same questions, and each answers through a continuation that
/// runs inside the actor: at once without a store, when the store answered (in the order of the calls) with one. A stream
/// is named by its user id or group name.
/// </summary>
public interface IStreamKeeper
{
    /// <summary>False with history off: there is no stream to open, and no message is numbered.</summary>
    bool KeepsHistory { get; }

    /// <summary>How often the entity calls <see cref="Sweep"/>; null when nothing kept here expires.</summary>
    TimeSpan? SweepInterval { get; }

    /// <summary>Nothing would be lost if the entity stopped now: no message kept in it, no call waiting for its answer.</summary>
    bool HoldsNothing { get; }

    /// <summary>True when <paramref name="message"/> was the answer to one of this keeper's calls; its continuations have run.</summary>
    bool TakeAnswer(object message);

    /// <summary>
    /// Starts <paramref name="stream"/> when this keeper had none of it and returns its position: whoever followed it
    /// before (the entity restarted, or the stream was evicted) is to hear the new epoch. Null when it was here already,
    /// or when a store starts it (the store says so with the next message it numbers).
    /// </summary>
    StreamPosition? StartIfNew(string stream);

    /// <summary>
    /// Numbers and keeps <paramref name="message"/>; <paramref name="then"/> hears what became of it. The message is the
    /// continuation's argument, so that a keeper that answers at once allocates nothing per message.
    /// </summary>
    void Append<T>(string stream, T message, Action<T, Numbering> then) where T : IStreamMessage;

    /// <summary>
    /// Where the stream stands, as <see cref="IStreamStore.ReadAsync"/> reads it; <paramref name="then"/> gets null when the
    /// store did not answer.
    /// </summary>
    void Read(string stream, bool open, Action<StreamRead?> then, StreamPosition? resume = null, long? since = null);

    /// <summary>Takes a <c>received</c> up to <paramref name="seq"/>; <paramref name="then"/> gets the receipts it newly earns.</summary>
    void Confirm(string stream, long seq, Action<IReadOnlyList<StreamReceipt>> then);

    /// <summary>Drops what expired, and the streams left empty that nobody follows (<paramref name="isFollowed"/>).</summary>
    void Sweep(Func<string, bool> isFollowed);

    /// <summary>Gives back what the entity kept, when it stops.</summary>
    void Release();

    /// <summary>How many messages each stream keeps and for how long, from now on (a namespace's rules reloaded).</summary>
    void Limit(HistoryOptions history)
    {
    }
}

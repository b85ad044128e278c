namespace Switchboard.Actors.History;

/// <summary>
/// History in a store every node shares (History:Store=redis), through the entity's <see cref="StoredStreams"/>: a message
/// is numbered when the store answers, and the entity keeps nothing, so it may stop once no call waits for its answer.
/// </summary>
/// <param name="keyPrefix">What the entity's streams are called in the store before their name: <c>u:</c> or <c>g:</c>.</param>
public sealed class StoredHistory(StoredStreams streams, string keyPrefix) : IStreamKeeper
{
    public bool KeepsHistory => true;
    public TimeSpan? SweepInterval => null;
    public bool HoldsNothing => streams.Calls.IsEmpty;

    public bool TakeAnswer(object message) => streams.Calls.Handle(message);

    public StreamPosition? StartIfNew(string stream) => null;

    public void Append<T>(string stream, T message, Action<T, Numbering> then) where T : IStreamMessage =>
        streams.Append(keyPrefix + stream, message, numbering => then(message, numbering));

    public void Read(string stream, bool open, Action<StreamRead?> then, StreamPosition? resume = null, long? since = null) =>
        streams.Read(keyPrefix + stream, open, then, resume, since);

    public void Confirm(string stream, long seq, Action<IReadOnlyList<StreamReceipt>> then) =>
        streams.Confirm(keyPrefix + stream, seq, then);

    public void Sweep(Func<string, bool> isFollowed)
    {
    }

    public void Release()
    {
    }

    public void Limit(HistoryOptions history) => streams.Limits = history;
}

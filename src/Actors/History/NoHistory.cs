namespace Switchboard.Actors.History;

/// <summary>History off (WEBSOCKET_HISTORY_SIZE 0): a message goes out as it came, without a seq, and nothing is kept.</summary>
public sealed class NoHistory : IStreamKeeper
{
    public static readonly NoHistory Instance = new();

    private NoHistory()
    {
    }

    public bool KeepsHistory => false;
    public TimeSpan? SweepInterval => null;
    public bool HoldsNothing => true;

    public bool TakeAnswer(object message) => false;

    public StreamPosition? StartIfNew(string stream) => null;

    public void Append<T>(string stream, T message, Action<T, Numbering> then) where T : IStreamMessage =>
        then(message, Numbering.Unnumbered(message.Frame));

    public void Read(string stream, bool open, Action<StreamRead?> then, StreamPosition? resume = null, long? since = null) =>
        then(StreamRead.None);

    public void Confirm(string stream, long seq, Action<IReadOnlyList<StreamReceipt>> then) => then([]);

    public void Sweep(Func<string, bool> isFollowed)
    {
    }

    public void Release()
    {
    }
}

namespace Switchboard.Actors.History;

/// <summary>
/// The bytes the memory store holds on this node, shared by every entity here: past
/// its bound (History:MaxBytes) an entity that keeps one more message first evicts its stalest streams, so that
/// messages to a flood of made-up ids cannot exhaust the node.
/// </summary>
public sealed class HistoryBudget(long maxBytes)
{
    public const long DefaultMaxBytes = 64L * 1024 * 1024;

    private long _bytes;

    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Messages kept on this node, for the metrics.</summary>
    public long Messages => Interlocked.Read(ref _messages);

    private long _messages;

    public bool IsOver => Bytes > maxBytes;

    public void Add(long bytes, int messages)
    {
        Interlocked.Add(ref _bytes, bytes);
        Interlocked.Add(ref _messages, messages);
    }

    public void Remove(long bytes, int messages) => Add(-bytes, -messages);
}

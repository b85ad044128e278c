using System.Collections.Concurrent;
using Switchboard.Streams.Outbound;

namespace Switchboard.Streams;

/// <summary>Node-wide traffic counters, written by every connection's stages.</summary>
public sealed class ConnectionCounters
{
    private long _messagesIn;
    private long _messagesOut;
    private long _bytesIn;
    private long _bytesOut;
    private long _dropped;
    private long _closedSlow;
    private long _liveGraphs;
    private long _timeouts;
    private long _queuedControlFrames;
    private long _opened;
    private readonly long[] _closedByCode = new long[ClosedCodes.Count];
    private readonly long[] _socketFailures = new long[SocketFailures.Kinds.Count];
    private readonly ConcurrentDictionary<string, long> _errors = new();

    /// <summary>Times a sample of messages to their recipients' sockets; off unless the host turns metrics on.</summary>
    public DeliveryClock DeliveryClock { get; init; } = DeliveryClock.Off;

    public long MessagesIn => Volatile.Read(ref _messagesIn);
    public long MessagesOut => Volatile.Read(ref _messagesOut);
    public long BytesIn => Volatile.Read(ref _bytesIn);
    public long BytesOut => Volatile.Read(ref _bytesOut);
    public long Dropped => Volatile.Read(ref _dropped);
    public long ClosedSlow => Volatile.Read(ref _closedSlow);

    /// <summary>Connections closed for staying silent past the connection timeout.</summary>
    public long Timeouts => Volatile.Read(ref _timeouts);

    /// <summary>Control frames (welcome, pings, pongs) queued on every connection's control lane and not yet written.</summary>
    public long QueuedControlFrames => Volatile.Read(ref _queuedControlFrames);

    /// <summary>Connection graphs ever materialized on this node.</summary>
    public long Opened => Volatile.Read(ref _opened);

    /// <summary>Finished connections by the close code this node sent (<see cref="ClosedCodes"/>).</summary>
    public long ClosedWith(int codeIndex) => Volatile.Read(ref _closedByCode[codeIndex]);

    /// <summary>Reads and writes on connections' sockets that failed, by <see cref="SocketFailureKind"/>.</summary>
    public long SocketFailed(SocketFailureKind kind) => Volatile.Read(ref _socketFailures[(int)kind]);

    /// <summary>Connection graphs materialized and not yet finished.</summary>
    public long LiveGraphs => Volatile.Read(ref _liveGraphs);

    /// <summary>Error frames by their code, and protocol closes as "close_NNNN".</summary>
    public IReadOnlyDictionary<string, long> Errors => _errors;

    public void RecordMessageIn() => Interlocked.Increment(ref _messagesIn);

    public void RecordBytesIn(long bytes) => Interlocked.Add(ref _bytesIn, bytes);

    public void RecordWrite(int messages, int bytes)
    {
        Interlocked.Add(ref _messagesOut, messages);
        Interlocked.Add(ref _bytesOut, bytes);
    }

    public void RecordDropped() => Interlocked.Increment(ref _dropped);

    public void RecordClosedSlow() => Interlocked.Increment(ref _closedSlow);

    public void RecordTimeout() => Interlocked.Increment(ref _timeouts);

    public void RecordError(string code) => _errors.AddOrUpdate(code, 1, static (_, n) => n + 1);

    internal void AddQueuedControlFrames(int delta) => Interlocked.Add(ref _queuedControlFrames, delta);

    internal void GraphStarted()
    {
        Interlocked.Increment(ref _liveGraphs);
        Interlocked.Increment(ref _opened);
    }

    /// <param name="code">The close code this node sent; null when the connection ended without a close frame.</param>
    internal void RecordClosed(ushort? code) => Interlocked.Increment(ref _closedByCode[ClosedCodes.IndexOf(code)]);

    internal void RecordSocketFailure(SocketFailureKind kind) => Interlocked.Increment(ref _socketFailures[(int)kind]);

    internal void GraphFinished() => Interlocked.Decrement(ref _liveGraphs);
}

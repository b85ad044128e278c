using Akka.Event;

namespace Switchboard.Streams;

/// <summary>
/// Traces a node's socket failures as Kestrel's transport traces its own. A reset or an abort is a connection's normal
/// end (a phone lost its signal, a close timed out): a Debug line without a stack. An unexpected failure is a fault: a
/// Warning with its exception, one per <see cref="UnexpectedEvery"/> at most, so that a fault every connection meets
/// cannot flood the log; each such line says how many were held back since the last, and the metric counts them all.
/// One per node, shared by its connections.
/// </summary>
public sealed class SocketFailureLog(ILoggingAdapter log, TimeProvider clock)
{
    public static readonly TimeSpan UnexpectedEvery = TimeSpan.FromMinutes(1);

    private readonly long _unexpectedEvery = (long)(UnexpectedEvery.TotalSeconds * clock.TimestampFrequency);
    private long _nextUnexpectedAt = long.MinValue;
    private long _heldBack;

    internal void Failed(string connectionId, SocketOperation operation, SocketFailureKind kind, Exception failure)
    {
        if (kind != SocketFailureKind.Unexpected)
        {
            if (log.IsDebugEnabled)
            {
                log.Debug("Socket of connection {ConnectionId} failed on {SocketOperation}: {SocketFailure}, {Reason}", connectionId,
                    NameOf(operation), SocketFailures.Label(kind), failure.Message);
            }
            return;
        }
        if (!TakeTurn())
        {
            Interlocked.Increment(ref _heldBack);
            return;
        }
        log.Warning(failure,
            "Socket of connection {ConnectionId} failed on {SocketOperation}: unexpected ({HeldBack} more held back since the last such line)",
            connectionId, NameOf(operation), Interlocked.Exchange(ref _heldBack, 0));
    }

    // Whichever failure moves the deadline on is the one logged: one line per interval across all the node's connections.
    private bool TakeTurn()
    {
        var now = clock.GetTimestamp();
        var next = Volatile.Read(ref _nextUnexpectedAt);
        return now >= next && Interlocked.CompareExchange(ref _nextUnexpectedAt, now + _unexpectedEvery, next) == next;
    }

    private static string NameOf(SocketOperation operation) => operation == SocketOperation.Read ? "read" : "write";
}

using System.Net.Sockets;

namespace Switchboard.Streams;

/// <summary>
/// Sorts the exceptions a connection's socket pipes throw into <see cref="SocketFailureKind"/>s, by the rules of
/// Kestrel's socket transport: reset for what the peer or the network did, aborted for what this host did, unexpected
/// for the rest. It runs only when a read or a write has failed.
/// </summary>
public static class SocketFailures
{
    /// <summary>Every kind, in the order of their values: the metric's label set.</summary>
    public static IReadOnlyList<SocketFailureKind> Kinds { get; } =
        [SocketFailureKind.Reset, SocketFailureKind.Aborted, SocketFailureKind.Unexpected];

    /// <summary>The kind's label in metrics and logs.</summary>
    public static string Label(SocketFailureKind kind) => kind switch
    {
        SocketFailureKind.Reset => "reset",
        SocketFailureKind.Aborted => "aborted",
        _ => "unexpected",
    };

    public static SocketFailureKind KindOf(Exception failure)
    {
        // The transport hands the socket's error on wrapped (Kestrel: ConnectionResetException, an IOException, around
        // the SocketException) or replaced by why it shut the socket (ConnectionAbortedException, an
        // OperationCanceledException). Where the socket's own error is there, it says most.
        for (var e = failure; e is not null; e = e.InnerException)
        {
            if (e is SocketException socket)
                return KindOf(socket.SocketErrorCode);
        }
        for (var e = failure; e is not null; e = e.InnerException)
        {
            if (e is OperationCanceledException or ObjectDisposedException)
                return SocketFailureKind.Aborted;
        }
        return SocketFailureKind.Unexpected;
    }

    private static SocketFailureKind KindOf(SocketError error) => error switch
    {
        SocketError.ConnectionReset or SocketError.Shutdown => SocketFailureKind.Reset,
        // Windows reports a peer's reset as ConnectionAborted (Kestrel reads it so); elsewhere it is a socket destroyed
        // on this host (Linux: tcp_abort, as `ss -K` does).
        SocketError.ConnectionAborted => OperatingSystem.IsWindows() ? SocketFailureKind.Reset : SocketFailureKind.Aborted,
        SocketError.OperationAborted or SocketError.Interrupted => SocketFailureKind.Aborted,
        // An operation on a socket disposed under it fails with EINVAL off Windows.
        SocketError.InvalidArgument when !OperatingSystem.IsWindows() => SocketFailureKind.Aborted,
        _ => SocketFailureKind.Unexpected,
    };
}

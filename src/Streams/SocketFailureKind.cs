namespace Switchboard.Streams;

/// <summary>
/// How a read or a write on a client's socket failed, sorted as Kestrel's socket transport sorts its own
/// (<see cref="SocketFailures.KindOf(Exception)"/>): the first two are a connection's normal end, the third is a bug.
/// </summary>
public enum SocketFailureKind
{
    /// <summary>The peer or the network dropped the connection: a TCP reset, a broken pipe.</summary>
    Reset,

    /// <summary>
    /// This host ended it: the node aborted the connection (a close that timed out, a shutdown) or the transport had
    /// shut the socket.
    /// </summary>
    Aborted,

    /// <summary>Anything else: a fault of the node's or of its transport's, worth a look.</summary>
    Unexpected,
}

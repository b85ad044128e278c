using Switchboard.Streams.Json;

namespace Switchboard.Streams;

/// <summary>Where a connection's decoded frames go, and who lets go of the connection once it has ended.</summary>
public interface IInboundHandler
{
    /// <summary>
    /// Called on the connection's stream, one frame at a time. False when the handler holds as many frames as it will: the
    /// connection then reads nothing more from its socket (control frames included) until the handler calls
    /// <see cref="WebSocketConnection.ResumeReading"/>. Backpressure, not a buffer that grows.
    /// </summary>
    bool OnFrame(ClientFrame frame);

    /// <summary>
    /// The connection has ended: both directions have stopped and the socket is released. Called once, on whichever
    /// thread ended it, before <see cref="WebSocketConnection.Completion"/> completes; it must not block.
    /// </summary>
    void OnEnded();
}

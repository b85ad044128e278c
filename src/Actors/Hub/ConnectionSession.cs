using Switchboard.Streams;
using Switchboard.Streams.Json;

namespace Switchboard.Actors.Hub;

/// <summary>
/// Interprets one connection's frames (PROTOCOL.md "Client → server types"). Runs on the
/// connection's stream: it must not block, and it sends replies through the connection's outbox.
/// </summary>
public sealed class ConnectionSession(WebSocketConnection connection, ConnectionCounters counters) : IInboundHandler
{
    public void OnFrame(ClientFrame frame)
    {
        if (frame.Error is { } error)
        {
            Reply(frame, error);
            return;
        }
        switch (frame.Type)
        {
            case "ping":
                connection.Send(ServerFrames.Pong);
                Acknowledge(frame);
                break;
            default:
                Reply(frame, new FrameError("unsupported_type", $"frames of type \"{frame.Type}\" cannot be routed yet"));
                break;
        }
    }

    private void Acknowledge(ClientFrame frame)
    {
        if (!frame.Id.IsEmpty)
            connection.Send(ServerFrames.Ack(frame.Id));
    }

    private void Reply(ClientFrame frame, FrameError error)
    {
        counters.RecordError(error.Code);
        connection.Send(ServerFrames.Error(frame.Id, error));
    }
}

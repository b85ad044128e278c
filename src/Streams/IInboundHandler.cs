using Switchboard.Streams.Json;

namespace Switchboard.Streams;

/// <summary>Where a connection's decoded frames go. Called on the connection's stream, one frame at a time.</summary>
public interface IInboundHandler
{
    void OnFrame(ClientFrame frame);
}

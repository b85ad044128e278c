using Switchboard.Actors.Routing;
using Switchboard.Streams.Outbound;

namespace Switchboard.Actors.History;

/// <summary>
/// A routed message as its stream sees it: the frame to number, who sent it with which id and the relay's stamp (so that
/// a resend keeps its first number), and whether its sender wants a receipt.
/// </summary>
public interface IStreamMessage
{
    OutboundFrame Frame { get; }
    string? Sender { get; }
    ReadOnlyMemory<byte> MessageId { get; }
    bool WantsReceipt { get; }
    RelayStamp? Stamp { get; }
}

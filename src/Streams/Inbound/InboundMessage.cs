namespace Switchboard.Streams.Inbound;

/// <summary>
/// One whole client message, inflated and validated. Text or binary is not kept: both carry the same JSON and are
/// read the same way.
/// </summary>
public sealed class InboundMessage(byte[] payload)
{
    public byte[] Payload { get; } = payload;
}

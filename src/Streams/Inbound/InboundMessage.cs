namespace Switchboard.Streams.Inbound;

/// <summary>One whole client message, inflated and validated.</summary>
public sealed class InboundMessage(byte[] payload, bool isBinary)
{
    public byte[] Payload { get; } = payload;
    public bool IsBinary { get; } = isBinary;
}

namespace Switchboard.Streams.Framing;

/// <summary>The peer broke the protocol; the connection is failed with <see cref="Code"/>.</summary>
public sealed class ProtocolViolation(ushort code, string reason) : Exception(reason)
{
    public ushort Code { get; } = code;
}

namespace Switchboard.Streams.Framing;

/// <summary>One decoded, unmasked client frame.</summary>
public sealed class WebSocketFrame(Opcode opcode, bool fin, bool compressed, byte[] payload)
{
    public Opcode Opcode { get; } = opcode;
    public bool Fin { get; } = fin;

    /// <summary>RSV1: the message is compressed with permessage-deflate.</summary>
    public bool Compressed { get; } = compressed;

    public byte[] Payload { get; } = payload;
}

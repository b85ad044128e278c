using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Switchboard.Streams.Framing;

/// <summary>
/// Decodes client frames (RFC 6455 §5.2) from a byte sequence. Every rule that can be checked
/// from the header is checked before the payload arrives, so an oversized frame is refused
/// without being buffered.
/// </summary>
public static class FrameDecoder
{
    private const int MaxHeaderLength = 14;

    /// <summary>
    /// Decodes one frame from the start of <paramref name="buffer"/> and slices it off.
    /// Returns false when the buffer does not yet hold a whole frame.
    /// </summary>
    /// <param name="maxPayload">Largest data-frame payload accepted; larger gets close code 1009.</param>
    /// <param name="compressionNegotiated">Whether RSV1 (permessage-deflate) is allowed.</param>
    /// <exception cref="ProtocolViolation">The header breaks the protocol.</exception>
    public static bool TryDecode(ref ReadOnlySequence<byte> buffer, long maxPayload, bool compressionNegotiated,
        out WebSocketFrame? frame)
    {
        frame = null;
        if (buffer.Length < 2)
            return false;

        Span<byte> header = stackalloc byte[MaxHeaderLength];
        var available = (int)Math.Min(buffer.Length, MaxHeaderLength);
        buffer.Slice(0, available).CopyTo(header);

        var fin = (header[0] & 0x80) != 0;
        var rsv1 = (header[0] & 0x40) != 0;
        var opcode = (Opcode)(header[0] & 0x0F);
        var masked = (header[1] & 0x80) != 0;
        var length7 = header[1] & 0x7F;

        if ((header[0] & 0x30) != 0)
            throw new ProtocolViolation(CloseCode.ProtocolError, "RSV2 and RSV3 must be clear");
        if (!opcode.IsDefined())
            throw new ProtocolViolation(CloseCode.ProtocolError, $"unknown opcode 0x{(byte)opcode:X}");
        if (rsv1 && (!compressionNegotiated || opcode is Opcode.Continuation || opcode.IsControl()))
            throw new ProtocolViolation(CloseCode.ProtocolError, "RSV1 set without a negotiated extension");
        if (opcode.IsControl() && (!fin || length7 > 125))
            throw new ProtocolViolation(CloseCode.ProtocolError, "control frames must be final and at most 125 bytes");
        if (!masked)
            throw new ProtocolViolation(CloseCode.ProtocolError, "client frames must be masked");

        var lengthBytes = length7 switch { 126 => 2, 127 => 8, _ => 0 };
        var headerLength = 2 + lengthBytes + 4;
        if (available < headerLength)
            return false;

        long payloadLength = length7 switch
        {
            126 => BinaryPrimitives.ReadUInt16BigEndian(header[2..]),
            127 => (long)BinaryPrimitives.ReadUInt64BigEndian(header[2..]),
            _ => length7,
        };
        if (payloadLength < 0)
            throw new ProtocolViolation(CloseCode.ProtocolError, "the most significant bit of a 64-bit length must be 0");
        if (payloadLength > maxPayload && !opcode.IsControl())
            throw new ProtocolViolation(CloseCode.MessageTooBig, $"message larger than {maxPayload} bytes");

        if (buffer.Length - headerLength < payloadLength)
            return false;

        var mask = MemoryMarshal.Read<uint>(header.Slice(2 + lengthBytes, 4));
        var payload = new byte[payloadLength];
        buffer.Slice(headerLength, payloadLength).CopyTo(payload);
        Masking.Apply(payload, mask);

        buffer = buffer.Slice(headerLength + payloadLength);
        frame = new WebSocketFrame(opcode, fin, rsv1, payload);
        return true;
    }
}

using System.Buffers.Binary;

namespace Switchboard.Streams.Framing;

/// <summary>Encodes unmasked server frames (RFC 6455 §5.2).</summary>
public static class FrameEncoder
{
    public static int HeaderLength(int payloadLength) => payloadLength switch
    {
        <= 125 => 2,
        <= ushort.MaxValue => 4,
        _ => 10,
    };

    /// <summary>A whole final frame in one array: header followed by the payload.</summary>
    public static byte[] Encode(Opcode opcode, ReadOnlySpan<byte> payload, bool compressed = false)
    {
        var headerLength = HeaderLength(payload.Length);
        var frame = new byte[headerLength + payload.Length];
        WriteHeader(frame, opcode, payload.Length, compressed);
        payload.CopyTo(frame.AsSpan(headerLength));
        return frame;
    }

    public static byte[] EncodeClose(ushort code, string reason)
    {
        Span<byte> payload = stackalloc byte[125];
        BinaryPrimitives.WriteUInt16BigEndian(payload, code);
        var reasonLength = System.Text.Encoding.UTF8.GetBytes(Truncate(reason), payload[2..]);
        return Encode(Opcode.Close, payload[..(2 + reasonLength)]);
    }

    private static void WriteHeader(Span<byte> destination, Opcode opcode, int payloadLength, bool compressed)
    {
        destination[0] = (byte)(0x80 | (compressed ? 0x40 : 0) | (byte)opcode);
        switch (payloadLength)
        {
            case <= 125:
                destination[1] = (byte)payloadLength;
                break;
            case <= ushort.MaxValue:
                destination[1] = 126;
                BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)payloadLength);
                break;
            default:
                destination[1] = 127;
                BinaryPrimitives.WriteUInt64BigEndian(destination[2..], (ulong)payloadLength);
                break;
        }
    }

    // A close reason must fit a control frame: 123 bytes after the code, cut on a character boundary.
    private static string Truncate(string reason)
    {
        const int max = 123;
        if (System.Text.Encoding.UTF8.GetByteCount(reason) <= max)
            return reason;
        var length = Math.Min(reason.Length, max);
        while (System.Text.Encoding.UTF8.GetByteCount(reason.AsSpan(0, length)) > max)
            length--;
        if (length > 0 && char.IsHighSurrogate(reason[length - 1]))
            length--;
        return reason[..length];
    }
}

using System.Buffers.Binary;
using System.Text.Unicode;

namespace Switchboard.Streams.Framing;

/// <summary>The body of a close frame (RFC 6455 §5.5.1).</summary>
public static class ClosePayload
{
    /// <summary>The peer's close code, or null when the frame carries none.</summary>
    /// <exception cref="ProtocolViolation">A one-byte body, a code not allowed on the wire, or a reason that is not UTF-8.</exception>
    public static ushort? Parse(ReadOnlySpan<byte> payload)
    {
        if (payload.Length == 0)
            return null;
        if (payload.Length == 1)
            throw new ProtocolViolation(CloseCode.ProtocolError, "close frame with a one-byte body");
        var code = BinaryPrimitives.ReadUInt16BigEndian(payload);
        if (!CloseCode.IsValidOnTheWire(code))
            throw new ProtocolViolation(CloseCode.ProtocolError, $"close code {code} is not allowed");
        if (!Utf8.IsValid(payload[2..]))
            throw new ProtocolViolation(CloseCode.InvalidPayload, "close reason is not valid UTF-8");
        return code;
    }
}

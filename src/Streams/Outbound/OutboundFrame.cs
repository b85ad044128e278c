using Switchboard.Streams.Compression;
using Switchboard.Streams.Framing;

namespace Switchboard.Streams.Outbound;

/// <summary>
/// A server frame encoded once and shared by every connection it goes to. The compressed
/// variant is made the first time a compressing connection asks for it, then shared too.
/// </summary>
public sealed class OutboundFrame
{
    // Small messages grow or barely shrink under deflate; they go out plain on every connection.
    private const int MinCompressedPayload = 64;

    private readonly int _payloadOffset;
    private byte[]? _compressed;

    private OutboundFrame(Opcode opcode, byte[] bytes, int payloadOffset)
    {
        Opcode = opcode;
        Bytes = bytes;
        _payloadOffset = payloadOffset;
    }

    public Opcode Opcode { get; }

    /// <summary>The whole frame, header included, uncompressed.</summary>
    public byte[] Bytes { get; }

    public ReadOnlySpan<byte> Payload => Bytes.AsSpan(_payloadOffset);

    public bool IsControl => Opcode.IsControl();

    /// <summary>
    /// When a node accepted the message (UTC ticks), for the sampled frames <see cref="DeliveryClock"/> times; else 0. Set
    /// by the clock where the message is accepted, and by the routing serializer on a copy that arrives from another node.
    /// </summary>
    public long AcceptedAt { get; set; }

    /// <summary>
    /// The message's place in its stream (its <c>"seq"</c>), or 0 for a frame outside any stream. Set by
    /// <see cref="WithSeq"/>, and by the routing serializer on a copy that arrives from another node.
    /// </summary>
    public long Seq { get; set; }

    /// <summary>
    /// This text frame with <c>"seq":<paramref name="seq"/></c> as its last field: one copy of the bytes, made where the
    /// stream numbers the message, then shared by every recipient as before.
    /// </summary>
    public OutboundFrame WithSeq(long seq)
    {
        var payload = Payload;
        var close = payload.LastIndexOf((byte)'}');
        if (Opcode != Opcode.Text || close < 1)
            throw new InvalidOperationException("only a JSON object text frame takes a seq");
        // An object with no field yet ({} or { }) takes the field without the comma.
        var comma = payload[..close].TrimEnd(" \t\r\n"u8) is [.., (byte)'{'] ? 0 : 1;
        Span<byte> field = stackalloc byte[32];
        ",\"seq\":"u8[(1 - comma)..].CopyTo(field);
        var name = 6 + comma;
        System.Buffers.Text.Utf8Formatter.TryFormat(seq, field[name..], out var digits);
        var added = name + digits;
        var json = new byte[payload.Length + added];
        payload[..close].CopyTo(json);
        field[..added].CopyTo(json.AsSpan(close));
        payload[close..].CopyTo(json.AsSpan(close + added));
        return new OutboundFrame(Opcode.Text, FrameEncoder.Encode(Opcode.Text, json), FrameEncoder.HeaderLength(json.Length))
        {
            AcceptedAt = AcceptedAt, Seq = seq,
        };
    }

    public static OutboundFrame Text(ReadOnlySpan<byte> utf8Json) =>
        new(Opcode.Text, FrameEncoder.Encode(Opcode.Text, utf8Json), FrameEncoder.HeaderLength(utf8Json.Length));

    public static OutboundFrame Control(Opcode opcode, ReadOnlySpan<byte> payload) =>
        new(opcode, FrameEncoder.Encode(opcode, payload), FrameEncoder.HeaderLength(payload.Length));

    /// <summary>A frame from its encoded bytes, as another node sent them.</summary>
    /// <exception cref="ArgumentException">The bytes are not one whole unmasked frame.</exception>
    public static OutboundFrame FromBytes(byte[] frame)
    {
        if (frame.Length < 2 || (frame[1] & 0x80) != 0)
            throw new ArgumentException("not an unmasked server frame", nameof(frame));
        var headerLength = (frame[1] & 0x7F) switch { 126 => 4, 127 => 10, _ => 2 };
        if (frame.Length < headerLength)
            throw new ArgumentException("truncated frame header", nameof(frame));
        return new OutboundFrame((Opcode)(frame[0] & 0x0F), frame, headerLength);
    }

    public static OutboundFrame Close(ushort code, string reason) =>
        new(Opcode.Close, FrameEncoder.EncodeClose(code, reason), 2);

    /// <summary>The frame as a connection that negotiated permessage-deflate sends it.</summary>
    public byte[] BytesFor(int? compressionLevel)
    {
        if (compressionLevel is not { } level || IsControl || Bytes.Length - _payloadOffset < MinCompressedPayload)
            return Bytes;
        // A race compresses twice and keeps one result: cheaper than a lock on every send.
        return _compressed ??= FrameEncoder.Encode(Opcode, MessageDeflater.Compress(Payload, level), compressed: true);
    }
}

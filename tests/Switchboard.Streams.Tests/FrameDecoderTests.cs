using System.Buffers;
using System.Text;
using Switchboard.Streams.Framing;

namespace Switchboard.Streams.Tests;

public sealed class FrameDecoderTests
{
    private const long Max = 1024;

    private static WebSocketFrame DecodeWhole(byte[] bytes, long max = Max, bool compression = false)
    {
        var buffer = new ReadOnlySequence<byte>(bytes);
        Assert.True(FrameDecoder.TryDecode(ref buffer, max, compression, out var frame));
        Assert.Equal(0, buffer.Length);
        return frame!;
    }

    private static ushort ViolationCode(byte[] bytes, long max = Max, bool compression = false)
    {
        var buffer = new ReadOnlySequence<byte>(bytes);
        return Assert.Throws<ProtocolViolation>(() => FrameDecoder.TryDecode(ref buffer, max, compression, out _)).Code;
    }

    private static void AssertIncomplete(byte[] bytes, long max = Max)
    {
        var buffer = new ReadOnlySequence<byte>(bytes);
        Assert.False(FrameDecoder.TryDecode(ref buffer, max, false, out var frame));
        Assert.Null(frame);
        Assert.Equal(bytes, buffer.ToArray());
    }

    [Fact]
    public void Masked_text_frame_is_decoded_and_unmasked()
    {
        var frame = DecodeWhole(ClientFrames.Build(0x1, "Hello, Switchboard"u8.ToArray()));
        Assert.Equal(Opcode.Text, frame.Opcode);
        Assert.True(frame.Fin);
        Assert.False(frame.Compressed);
        Assert.Equal("Hello, Switchboard", Encoding.UTF8.GetString(frame.Payload));
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 1)]
    [InlineData(125, 125)]
    [InlineData(126, 126)] // 16-bit length from here
    [InlineData(65_535, 126)]
    [InlineData(65_536, 127)] // 64-bit length from here
    [InlineData(200_000, 127)]
    public void Every_length_form_is_decoded(int length, int lengthField)
    {
        var payload = Enumerable.Range(0, length).Select(i => (byte)(i * 31)).ToArray();
        var bytes = ClientFrames.Build(0x2, payload);
        Assert.Equal(0x80 | lengthField, bytes[1]);

        var frame = DecodeWhole(bytes, max: 1 << 20);
        Assert.Equal(Opcode.Binary, frame.Opcode);
        Assert.Equal(payload, frame.Payload);
    }

    [Fact]
    public void Fewer_than_two_bytes_are_not_a_frame_yet()
    {
        AssertIncomplete([]);
        AssertIncomplete([0x81]);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(300)]
    [InlineData(70_000)]
    public void Header_split_anywhere_waits_and_leaves_the_buffer_intact(int length)
    {
        var bytes = ClientFrames.Build(0x1, new byte[length]);
        for (var cut = 0; cut <= ClientFrames.HeaderLength(length); cut++)
            AssertIncomplete(bytes[..cut], max: 1 << 20);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(300)]
    [InlineData(70_000)]
    public void Payload_split_waits_and_leaves_the_buffer_intact(int length)
    {
        var bytes = ClientFrames.Build(0x1, new byte[length]);
        var header = ClientFrames.HeaderLength(length);
        foreach (var cut in new[] { header + 1, header + length / 2, bytes.Length - 1 })
            AssertIncomplete(bytes[..cut], max: 1 << 20);
    }

    [Fact]
    public void Frame_decodes_once_the_rest_arrives()
    {
        var payload = Encoding.UTF8.GetBytes(new string('x', 300));
        var bytes = ClientFrames.Build(0x1, payload);
        AssertIncomplete(bytes[..5]);
        Assert.Equal(payload, DecodeWhole(bytes).Payload);
    }

    [Fact]
    public void Frame_spread_over_several_segments_is_decoded()
    {
        var payload = Enumerable.Range(0, 300).Select(i => (byte)i).ToArray();
        var bytes = ClientFrames.Build(0x2, payload);
        // Every split point, including those that cut the length field or the mask key.
        for (var cut = 1; cut < bytes.Length; cut++)
        {
            var buffer = ClientFrames.Segmented(bytes[..cut], bytes[cut..]);
            Assert.True(FrameDecoder.TryDecode(ref buffer, Max, false, out var frame));
            Assert.Equal(payload, frame!.Payload);
            Assert.Equal(0, buffer.Length);
        }

        var threePieces = ClientFrames.Segmented(bytes[..1], bytes[1..3], bytes[3..]);
        Assert.True(FrameDecoder.TryDecode(ref threePieces, Max, false, out var whole));
        Assert.Equal(payload, whole!.Payload);
    }

    [Fact]
    public void Frames_back_to_back_are_decoded_one_at_a_time()
    {
        var first = ClientFrames.Build(0x1, "first"u8.ToArray());
        var second = ClientFrames.Build(0x9, "second"u8.ToArray());
        var partialThird = ClientFrames.Build(0x2, new byte[40])[..10];
        var buffer = new ReadOnlySequence<byte>([.. first, .. second, .. partialThird]);

        Assert.True(FrameDecoder.TryDecode(ref buffer, Max, false, out var one));
        Assert.Equal((Opcode.Text, "first"), (one!.Opcode, Encoding.UTF8.GetString(one.Payload)));
        Assert.Equal([.. second, .. partialThird], buffer.ToArray());

        Assert.True(FrameDecoder.TryDecode(ref buffer, Max, false, out var two));
        Assert.Equal((Opcode.Ping, "second"), (two!.Opcode, Encoding.UTF8.GetString(two.Payload)));
        Assert.Equal(partialThird, buffer.ToArray());

        Assert.False(FrameDecoder.TryDecode(ref buffer, Max, false, out _));
        Assert.Equal(partialThird, buffer.ToArray());
    }

    [Theory]
    [InlineData(0x1)]
    [InlineData(0x2)]
    [InlineData(0x9)]
    public void Unmasked_frame_is_a_protocol_error(int opcode) =>
        Assert.Equal(1002, ViolationCode(ClientFrames.Build(opcode, "x"u8.ToArray(), mask: false)));

    [Theory]
    [InlineData(true, false, false)]
    [InlineData(false, true, false)]
    [InlineData(true, true, false)]
    [InlineData(true, false, true)]
    [InlineData(false, true, true)]
    public void Rsv2_and_rsv3_are_protocol_errors_even_with_compression(bool rsv2, bool rsv3, bool compression) =>
        Assert.Equal(1002, ViolationCode(ClientFrames.Build(0x1, "x"u8.ToArray(), rsv2: rsv2, rsv3: rsv3), compression: compression));

    [Theory]
    [InlineData(0x1)]
    [InlineData(0x2)]
    public void Rsv1_without_negotiated_compression_is_a_protocol_error(int opcode) =>
        Assert.Equal(1002, ViolationCode(ClientFrames.Build(opcode, "x"u8.ToArray(), rsv1: true)));

    [Theory]
    [InlineData(0x1, true)]
    [InlineData(0x1, false)] // the first fragment of a compressed message
    [InlineData(0x2, true)]
    public void Rsv1_on_a_first_data_frame_marks_it_compressed_when_negotiated(int opcode, bool fin)
    {
        var frame = DecodeWhole(ClientFrames.Build(opcode, "x"u8.ToArray(), fin: fin, rsv1: true), compression: true);
        Assert.True(frame.Compressed);
        Assert.Equal(fin, frame.Fin);
    }

    [Theory]
    [InlineData(0x0)]
    [InlineData(0x8)]
    [InlineData(0x9)]
    [InlineData(0xA)]
    public void Rsv1_on_continuation_and_control_frames_is_a_protocol_error(int opcode) =>
        Assert.Equal(1002, ViolationCode(ClientFrames.Build(opcode, [0x03, 0xE8], rsv1: true), compression: true));

    [Theory]
    [InlineData(0x3)]
    [InlineData(0x4)]
    [InlineData(0x5)]
    [InlineData(0x6)]
    [InlineData(0x7)]
    [InlineData(0xB)]
    [InlineData(0xC)]
    [InlineData(0xD)]
    [InlineData(0xE)]
    [InlineData(0xF)]
    public void Unknown_opcodes_are_protocol_errors(int opcode) =>
        Assert.Equal(1002, ViolationCode(ClientFrames.Build(opcode, "x"u8.ToArray())));

    [Fact]
    public void Header_errors_are_found_from_the_first_two_bytes()
    {
        Assert.Equal(1002, ViolationCode(ClientFrames.Build(0x1, new byte[10], mask: false)[..2]));
        Assert.Equal(1002, ViolationCode(ClientFrames.Build(0x3, new byte[10])[..2]));
        Assert.Equal(1002, ViolationCode(ClientFrames.Build(0x9, new byte[10], fin: false)[..2]));
    }

    [Theory]
    [InlineData(0x8)]
    [InlineData(0x9)]
    [InlineData(0xA)]
    public void Control_frame_over_125_bytes_is_a_protocol_error(int opcode) =>
        Assert.Equal(1002, ViolationCode(ClientFrames.Build(opcode, new byte[126])));

    [Fact]
    public void Control_frame_with_an_extended_length_field_is_a_protocol_error()
    {
        // Five bytes, but announced with the 64-bit length form that control frames may not use.
        Assert.Equal(1002, ViolationCode(ClientFrames.Build(0x9, new byte[5], declaredLength: 70_000)[..14]));
    }

    [Theory]
    [InlineData(0x8)]
    [InlineData(0x9)]
    [InlineData(0xA)]
    public void Control_frame_of_125_bytes_is_accepted(int opcode)
    {
        var payload = new byte[125];
        payload[0] = 0x03; // keeps a close body's code plausible; the decoder does not parse it
        payload[1] = 0xE8;
        Assert.Equal(payload, DecodeWhole(ClientFrames.Build(opcode, payload)).Payload);
    }

    [Theory]
    [InlineData(0x8)]
    [InlineData(0x9)]
    [InlineData(0xA)]
    public void Non_final_control_frame_is_a_protocol_error(int opcode) =>
        Assert.Equal(1002, ViolationCode(ClientFrames.Build(opcode, "x"u8.ToArray(), fin: false)));

    [Fact]
    public void Data_frame_over_the_limit_is_refused_from_its_header_alone()
    {
        // Only the 14-byte header of a 1 MB frame has arrived.
        var header = ClientFrames.Build(0x1, [], declaredLength: 1 << 20);
        Assert.Equal(14, header.Length);
        Assert.Equal(1009, ViolationCode(header, max: 512));
    }

    [Theory]
    [InlineData(0x0, 1000)]
    [InlineData(0x1, 1000)]
    [InlineData(0x2, 70_000)]
    public void Oversized_length_is_refused_in_every_length_form_and_for_continuations(int opcode, int length) =>
        Assert.Equal(1009, ViolationCode(ClientFrames.Build(opcode, [], declaredLength: length), max: 512));

    [Fact]
    public void Length_is_only_judged_once_the_whole_length_field_has_arrived()
    {
        var header = ClientFrames.Build(0x1, [], declaredLength: 1 << 20);
        AssertIncomplete(header[..2], max: 512);
        AssertIncomplete(header[..9], max: 512);
    }

    [Fact]
    public void Data_frame_of_exactly_the_limit_is_accepted_and_one_byte_more_is_not()
    {
        Assert.Equal(512, DecodeWhole(ClientFrames.Build(0x2, new byte[512]), max: 512).Payload.Length);
        Assert.Equal(1009, ViolationCode(ClientFrames.Build(0x2, new byte[513]), max: 512));
    }

    [Fact]
    public void Control_frames_are_not_held_to_the_message_limit()
    {
        var ping = DecodeWhole(ClientFrames.Build(0x9, new byte[100]), max: 10);
        Assert.Equal(100, ping.Payload.Length);
    }

    [Theory]
    [InlineData(512L)]
    [InlineData(long.MaxValue)]
    public void Length_with_the_most_significant_bit_set_is_a_protocol_error(long max)
    {
        var header = ClientFrames.Build(0x1, [], declaredLength: 1 << 20);
        header[2] |= 0x80;
        Assert.Equal(1002, ViolationCode(header, max: max));
    }
}

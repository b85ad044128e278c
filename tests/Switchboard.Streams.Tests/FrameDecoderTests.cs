using System.Buffers;
using Switchboard.Streams.Framing;

namespace Switchboard.Streams.Tests;

public sealed class FrameDecoderTests
{
    private static WebSocketFrame? Decode(byte[] bytes, out ReadOnlySequence<byte> rest, long max = 1024, bool compression = false)
    {
        rest = new ReadOnlySequence<byte>(bytes);
        return FrameDecoder.TryDecode(ref rest, max, compression, out var frame) ? frame : null;
    }

    private static ushort ViolationCode(byte[] bytes, long max = 1024, bool compression = false) =>
        Assert.Throws<ProtocolViolation>(() => Decode(bytes, out _, max, compression)).Code;

    [Theory]
    [InlineData(0)]
    [InlineData(125)]
    [InlineData(126)]
    [InlineData(65_535)]
    [InlineData(65_536)]
    public void Masked_frame_decodes_and_unmasks(int length)
    {
        var payload = Enumerable.Range(0, length).Select(i => (byte)i).ToArray();
        var frame = Decode(ClientFrames.Build(0x2, payload), out var rest, max: 1 << 20);
        Assert.NotNull(frame);
        Assert.Equal(Opcode.Binary, frame.Opcode);
        Assert.True(frame.Fin);
        Assert.Equal(payload, frame.Payload);
        Assert.Equal(0, rest.Length);
    }

    [Fact]
    public void Partial_frames_wait_for_more_and_leave_the_buffer_whole()
    {
        var bytes = ClientFrames.Build(0x1, new byte[300]);
        foreach (var cut in new[] { 1, 3, 7, 100, bytes.Length - 1 })
        {
            Assert.Null(Decode(bytes[..cut], out var rest));
            Assert.Equal(cut, rest.Length);
        }
    }

    [Fact]
    public void Frames_back_to_back_decode_one_at_a_time()
    {
        var buffer = new ReadOnlySequence<byte>([.. ClientFrames.Build(0x1, "a"u8.ToArray()), .. ClientFrames.Build(0x9, "b"u8.ToArray())]);
        Assert.True(FrameDecoder.TryDecode(ref buffer, 1024, false, out var first));
        Assert.True(FrameDecoder.TryDecode(ref buffer, 1024, false, out var second));
        Assert.Equal(("a", Opcode.Text), (System.Text.Encoding.UTF8.GetString(first!.Payload), first.Opcode));
        Assert.Equal(Opcode.Ping, second!.Opcode);
        Assert.False(FrameDecoder.TryDecode(ref buffer, 1024, false, out _));
    }

    [Fact]
    public void Unmasked_frame_is_a_protocol_error() =>
        Assert.Equal(1002, ViolationCode(ClientFrames.Build(0x1, "x"u8.ToArray(), mask: false)));

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Reserved_bits_2_and_3_are_protocol_errors(int rsv) =>
        Assert.Equal(1002, ViolationCode(ClientFrames.Build(0x1, "x"u8.ToArray(), rsv: rsv), compression: true));

    [Fact]
    public void Rsv1_needs_permessage_deflate_on_a_first_data_frame()
    {
        Assert.Equal(1002, ViolationCode(ClientFrames.Build(0x1, "x"u8.ToArray(), rsv: 4)));
        Assert.True(Decode(ClientFrames.Build(0x1, "x"u8.ToArray(), rsv: 4), out _, compression: true)!.Compressed);
        Assert.Equal(1002, ViolationCode(ClientFrames.Build(0x0, "x"u8.ToArray(), rsv: 4), compression: true));
        Assert.Equal(1002, ViolationCode(ClientFrames.Build(0x9, "x"u8.ToArray(), rsv: 4), compression: true));
    }

    [Theory]
    [InlineData(0x3)]
    [InlineData(0x7)]
    [InlineData(0xB)]
    [InlineData(0xF)]
    public void Unknown_opcodes_are_protocol_errors(int opcode) =>
        Assert.Equal(1002, ViolationCode(ClientFrames.Build(opcode, "x"u8.ToArray())));

    [Fact]
    public void Control_frames_must_be_short_and_final()
    {
        Assert.Equal(1002, ViolationCode(ClientFrames.Build(0x9, new byte[126])));
        Assert.Equal(1002, ViolationCode(ClientFrames.Build(0x9, "x"u8.ToArray(), fin: false)));
    }

    [Fact]
    public void Oversized_data_frame_is_refused_from_its_header_alone()
    {
        var header = ClientFrames.Build(0x1, [], declaredLength: 1 << 20);
        Assert.Equal(1009, ViolationCode(header, max: 512));
    }

    [Fact]
    public void Length_with_the_top_bit_set_is_a_protocol_error()
    {
        var header = ClientFrames.Build(0x1, [], declaredLength: 1 << 20);
        header[2] = 0x80;
        Assert.Equal(1002, ViolationCode(header, max: long.MaxValue));
    }
}

using System.Buffers.Binary;
using System.Text;
using Switchboard.Streams.Framing;

namespace Switchboard.Streams.Tests;

public sealed class FrameEncoderTests
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    [Theory]
    [InlineData(0, new byte[] { 0x81, 0 })]
    [InlineData(125, new byte[] { 0x81, 125 })]
    [InlineData(126, new byte[] { 0x81, 126, 0x00, 0x7E })]
    [InlineData(65_535, new byte[] { 0x81, 126, 0xFF, 0xFF })]
    [InlineData(65_536, new byte[] { 0x81, 127, 0, 0, 0, 0, 0, 1, 0, 0 })]
    public void Header_uses_the_shortest_length_form(int length, byte[] header)
    {
        var payload = Enumerable.Range(0, length).Select(i => (byte)i).ToArray();
        var frame = FrameEncoder.Encode(Opcode.Text, payload);
        Assert.Equal(header.Length, FrameEncoder.HeaderLength(length));
        Assert.Equal(header, frame[..header.Length]);
        Assert.Equal(payload, frame[header.Length..]);
    }

    [Theory]
    [InlineData(Opcode.Text, false, 0x81)]
    [InlineData(Opcode.Binary, false, 0x82)]
    [InlineData(Opcode.Close, false, 0x88)]
    [InlineData(Opcode.Ping, false, 0x89)]
    [InlineData(Opcode.Pong, false, 0x8A)]
    [InlineData(Opcode.Text, true, 0xC1)]
    public void First_byte_is_final_with_the_opcode_and_rsv1_for_compressed(Opcode opcode, bool compressed, byte first)
    {
        var frame = FrameEncoder.Encode(opcode, "x"u8, compressed);
        Assert.Equal(first, frame[0]);
        Assert.Equal(0, frame[1] & 0x80); // server frames are never masked
    }

    [Fact]
    public void Close_frame_carries_the_code_then_the_reason()
    {
        Assert.Equal([0x88, 5, 0x03, 0xE9, (byte)'b', (byte)'y', (byte)'e'], FrameEncoder.EncodeClose(1001, "bye"));
        Assert.Equal([0x88, 2, 0x0B, 0xB8], FrameEncoder.EncodeClose(3000, ""));
    }

    [Fact]
    public void Reason_of_exactly_123_bytes_is_kept_whole()
    {
        var reason = new string('r', 123);
        var frame = FrameEncoder.EncodeClose(1000, reason);
        Assert.Equal(125, frame[1]);
        Assert.Equal(reason, Encoding.UTF8.GetString(frame.AsSpan(4)));
    }

    public static TheoryData<string, string> LongReasons => new()
    {
        { new string('a', 200), new string('a', 123) },
        { new string('é', 100), new string('é', 61) }, // 2 bytes each: 122
        { string.Concat(Enumerable.Repeat("€", 60)), string.Concat(Enumerable.Repeat("€", 41)) }, // 3 bytes each: 123
        { string.Concat(Enumerable.Repeat("😀", 40)), string.Concat(Enumerable.Repeat("😀", 30)) }, // 4 bytes each: 120
        { "a" + string.Concat(Enumerable.Repeat("😀", 40)), "a" + string.Concat(Enumerable.Repeat("😀", 30)) }, // 121
        { "ab" + new string('é', 100), "ab" + new string('é', 60) }, // 122
    };

    [Theory]
    [MemberData(nameof(LongReasons))]
    public void Long_reason_is_cut_on_a_character_boundary_to_fit_a_control_frame(string reason, string expected)
    {
        var frame = FrameEncoder.EncodeClose(1001, reason);
        Assert.True(frame[1] <= 125);
        Assert.Equal(frame.Length - 2, frame[1]);
        Assert.Equal(1001, BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(2)));
        Assert.Equal(expected, StrictUtf8.GetString(frame.AsSpan(4)));
    }
}

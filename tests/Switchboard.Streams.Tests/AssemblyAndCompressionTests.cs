using System.Text;
using Switchboard.Streams.Compression;
using Switchboard.Streams.Framing;
using Switchboard.Streams.Inbound;
using Switchboard.Streams.Outbound;

namespace Switchboard.Streams.Tests;

public sealed class MessageAssemblerTests
{
    private static WebSocketFrame Frame(Opcode opcode, byte[] payload, bool fin = true, bool compressed = false) =>
        new(opcode, fin, compressed, payload);

    private static ushort ViolationCode(Action action) => Assert.Throws<ProtocolViolation>(action).Code;

    [Fact]
    public void Single_frame_is_a_message()
    {
        var message = new MessageAssembler(512, null).Add(Frame(Opcode.Text, "hi"u8.ToArray()));
        Assert.Equal("hi", Encoding.UTF8.GetString(message!.Payload));
        Assert.False(message.IsBinary);
    }

    [Fact]
    public void Fragments_are_joined()
    {
        var assembler = new MessageAssembler(512, null);
        Assert.Null(assembler.Add(Frame(Opcode.Text, "he"u8.ToArray(), fin: false)));
        Assert.Null(assembler.Add(Frame(Opcode.Continuation, "ll"u8.ToArray(), fin: false)));
        Assert.Equal("hello", Encoding.UTF8.GetString(assembler.Add(Frame(Opcode.Continuation, "o"u8.ToArray()))!.Payload));
        Assert.Equal("next", Encoding.UTF8.GetString(assembler.Add(Frame(Opcode.Text, "next"u8.ToArray()))!.Payload));
    }

    [Fact]
    public void Fragment_sequence_errors_are_protocol_errors()
    {
        Assert.Equal(1002, ViolationCode(() => new MessageAssembler(512, null).Add(Frame(Opcode.Continuation, [1]))));
        var assembler = new MessageAssembler(512, null);
        assembler.Add(Frame(Opcode.Text, [0x61], fin: false));
        Assert.Equal(1002, ViolationCode(() => assembler.Add(Frame(Opcode.Text, [0x62]))));
    }

    [Fact]
    public void Utf8_is_checked_over_the_whole_message()
    {
        var euro = "€"u8.ToArray();
        var assembler = new MessageAssembler(512, null);
        assembler.Add(Frame(Opcode.Text, euro[..1], fin: false));
        Assert.Equal("€", Encoding.UTF8.GetString(assembler.Add(Frame(Opcode.Continuation, euro[1..]))!.Payload));

        var broken = new MessageAssembler(512, null);
        broken.Add(Frame(Opcode.Text, euro[..2], fin: false));
        Assert.Equal(1007, ViolationCode(() => broken.Add(Frame(Opcode.Continuation, "x"u8.ToArray()))));
    }

    [Fact]
    public void Binary_messages_are_not_checked_for_utf8() =>
        Assert.True(new MessageAssembler(512, null).Add(Frame(Opcode.Binary, [0xFF, 0xFE]))!.IsBinary);

    [Fact]
    public void Size_limit_applies_as_soon_as_fragments_cross_it()
    {
        var assembler = new MessageAssembler(10, null);
        assembler.Add(Frame(Opcode.Text, new byte[6], fin: false));
        Assert.Equal(1009, ViolationCode(() => assembler.Add(Frame(Opcode.Continuation, new byte[6], fin: false))));
    }

    [Fact]
    public void Compressed_message_is_inflated_within_the_limit()
    {
        var text = string.Concat(Enumerable.Repeat("switchboard ", 30));
        var compressed = MessageDeflater.Compress(Encoding.UTF8.GetBytes(text), 6);
        Assert.Equal(text, Encoding.UTF8.GetString(new MessageAssembler(512, 1).Add(Frame(Opcode.Text, compressed, compressed: true))!.Payload));

        var bomb = MessageDeflater.Compress(new byte[100_000], 9);
        Assert.True(bomb.Length < 512);
        Assert.Equal(1009, ViolationCode(() => new MessageAssembler(512, 1).Add(Frame(Opcode.Text, bomb, compressed: true))));
        Assert.Equal(1007, ViolationCode(() => new MessageAssembler(512, 1).Add(Frame(Opcode.Text, [0xFF, 0xFF, 0xFF], compressed: true))));
    }
}

public sealed class PerMessageDeflateTests
{
    [Theory]
    [InlineData("permessage-deflate", true)]
    [InlineData("permessage-deflate; client_max_window_bits", true)]
    [InlineData("permessage-deflate; client_max_window_bits=10; server_no_context_takeover", true)]
    [InlineData("permessage-deflate; server_max_window_bits=15", true)]
    [InlineData("permessage-deflate; server_max_window_bits=10", false)]
    [InlineData("permessage-deflate; server_max_window_bits=10, permessage-deflate", true)]
    [InlineData("permessage-deflate; mystery", false)]
    [InlineData("x-webkit-deflate-frame", false)]
    [InlineData("", false)]
    public void Offers_are_accepted_or_declined(string header, bool accepted) =>
        Assert.Equal(accepted, PerMessageDeflate.TryNegotiate([header]));

    [Fact]
    public void No_header_means_no_compression() => Assert.False(PerMessageDeflate.TryNegotiate([]));
}

public sealed class MessageDeflaterTests
{
    [Theory]
    [InlineData(-2)]
    [InlineData(-1)]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(9)]
    public void Compressed_message_round_trips_without_the_sync_flush_tail(int level)
    {
        var message = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("{\"type\":\"chat\"}", 20)));
        var compressed = MessageDeflater.Compress(message, level);
        Assert.False(compressed.AsSpan().EndsWith(new byte[] { 0, 0, 0xFF, 0xFF }));
        Assert.True(MessageDeflater.TryInflate(compressed, 4096, out var inflated));
        Assert.Equal(message, inflated);
    }
}

public sealed class OutboundFrameTests
{
    private static readonly byte[] Large = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("{\"n\":1}", 40)));

    [Fact]
    public void Without_compression_the_plain_frame_goes_out()
    {
        var frame = OutboundFrame.Text(Large);
        Assert.Same(frame.Bytes, frame.BytesFor(null));
    }

    [Fact]
    public void Large_frame_is_compressed_once_and_shared()
    {
        var frame = OutboundFrame.Text(Large);
        var compressed = frame.BytesFor(1);
        Assert.Equal(0xC1, compressed[0]); // FIN, RSV1, text
        Assert.Same(compressed, frame.BytesFor(1));
        Assert.True(MessageDeflater.TryInflate(compressed.AsSpan(2), 4096, out var inflated));
        Assert.Equal(Large, inflated);
    }

    [Fact]
    public void Small_frames_and_control_frames_stay_plain()
    {
        var small = OutboundFrame.Text("""{"type":"pong"}"""u8);
        Assert.Same(small.Bytes, small.BytesFor(1));
        var close = OutboundFrame.Close(1000, new string('r', 100));
        Assert.Same(close.Bytes, close.BytesFor(1));
    }
}

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
    public void A_message_may_come_in_at_most_MaxFragments_frames()
    {
        var assembler = new MessageAssembler(512, null);
        Assert.Null(assembler.Add(Frame(Opcode.Text, "a"u8.ToArray(), fin: false)));
        for (var i = 2; i < MessageAssembler.MaxFragments; i++)
            Assert.Null(assembler.Add(Frame(Opcode.Continuation, [], fin: false)));
        Assert.Equal("ab", Encoding.UTF8.GetString(assembler.Add(Frame(Opcode.Continuation, "b"u8.ToArray()))!.Payload));

        assembler.Add(Frame(Opcode.Text, "a"u8.ToArray(), fin: false)); // the count starts again with each message
        for (var i = 2; i <= MessageAssembler.MaxFragments; i++)
            Assert.Null(assembler.Add(Frame(Opcode.Continuation, [], fin: false)));
        Assert.Equal(1009, ViolationCode(() => assembler.Add(Frame(Opcode.Continuation, []))));
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

    // A binary message carries the same JSON as a text one and reaches recipients as text.
    [Fact]
    public void Binary_messages_are_held_to_utf8_too()
    {
        Assert.Equal("{\"type\":\"é\"}", Encoding.UTF8.GetString(new MessageAssembler(512, null).Add(Frame(Opcode.Binary, "{\"type\":\"é\"}"u8.ToArray()))!.Payload));
        Assert.Equal(1007, ViolationCode(() => new MessageAssembler(512, null).Add(Frame(Opcode.Binary, [0xFF, 0xFE]))));
    }

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


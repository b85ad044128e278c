using System.Text;
using Switchboard.Streams.Compression;
using Switchboard.Streams.Framing;
using Switchboard.Streams.Inbound;
using Switchboard.Streams.Outbound;

namespace Switchboard.Streams.Tests;

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

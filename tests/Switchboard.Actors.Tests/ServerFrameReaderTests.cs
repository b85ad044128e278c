using System.IO.Pipelines;
using System.Text;
using Switchboard.Streams.Framing;
using Switchboard.Streams.Outbound;

namespace Switchboard.Actors.Tests;

/// <summary>The specs' reader of server frames, checked against the server's own encoder, so a spec's failure is never the reader's.</summary>
public sealed class ServerFrameReaderTests
{
    [Theory]
    [InlineData(5)] // 7-bit length
    [InlineData(300)] // 16-bit length
    [InlineData(70_000)] // 64-bit length
    public async Task A_frame_arriving_a_few_bytes_at_a_time_is_read_whole_and_the_next_one_after_it(int size)
    {
        var text = $$"""{"type":"x","pad":"{{new string('p', size)}}"}""";
        var pipe = new Pipe();
        var bytes = OutboundFrame.Text(Encoding.UTF8.GetBytes(text)).Bytes
            .Concat(OutboundFrame.Close(4401, "token expired").Bytes).ToArray();

        var reading = ServerFrameReader.ReadAsync(pipe.Reader, TimeSpan.FromSeconds(15));
        // Split inside the header and the payload alike: the reader must wait for the rest each time.
        foreach (var chunk in bytes.Chunk(3))
        {
            await pipe.Writer.WriteAsync(chunk);
            await pipe.Writer.FlushAsync();
        }

        var frame = await reading;
        Assert.Equal((Opcode.Text, text), (frame.Opcode, frame.Text));
        var close = await ServerFrameReader.ReadAsync(pipe.Reader, TimeSpan.FromSeconds(15));
        Assert.Equal((Opcode.Close, (ushort)4401), (close.Opcode, close.CloseCode));
    }

    [Fact]
    public async Task A_masked_frame_is_refused_rather_than_misread()
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(new byte[] { 0x81, 0x81, 1, 2, 3, 4, (byte)'x' ^ 1 });
        await Assert.ThrowsAsync<InvalidDataException>(() => ServerFrameReader.ReadAsync(pipe.Reader, TimeSpan.FromSeconds(15)));
    }
}

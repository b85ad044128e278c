using System.IO.Compression;
using System.Net.WebSockets;
using System.Text;
using Switchboard.IntegrationTests.Support;

namespace Switchboard.IntegrationTests;

/// <summary>permessage-deflate (RFC 7692) against a real client that compresses.</summary>
public sealed class CompressionTests
{
    private static readonly string LongId = string.Concat(Enumerable.Repeat("compress-me-", 30));

    [Theory]
    [InlineData(1)]
    [InlineData(-2)] // Huffman only
    [InlineData(9)]
    public async Task Compressing_client_exchanges_messages_both_ways(int level)
    {
        await using var server = await SwitchboardServer.StartAsync(o => o with
        {
            EnableCompression = true, CompressionLevel = level, MaxMessageSize = 4096,
        });
        await using var client = await Client.ConnectAsync(server.WebSocketUri("user_id=zip"),
            o =>
            {
                o.DangerousDeflateOptions = new WebSocketDeflateOptions();
                o.CollectHttpResponseDetails = true;
            });
        Assert.Equal("permessage-deflate; server_no_context_takeover; client_no_context_takeover",
            client.Socket.HttpResponseHeaders?["Sec-WebSocket-Extensions"].Single());

        // The client compresses what it sends; the long ack comes back compressed.
        for (var i = 0; i < 3; i++)
        {
            await client.SendAsync($$"""{"type":"ping","id":"{{LongId}}{{i}}"}""");
            Assert.Equal("pong", (await client.ReceiveAsync()).GetProperty("type").GetString());
            Assert.Equal(LongId + i, (await client.ReceiveAsync()).GetProperty("id").GetString());
        }
    }

    [Fact]
    public async Task Large_server_frames_go_out_compressed_with_rsv1()
    {
        await using var server = await SwitchboardServer.StartAsync(o => o with { EnableCompression = true, MaxMessageSize = 4096 });
        await using var client = await RawWebSocket.ConnectAsync(server.BaseUri,
            headers: new Dictionary<string, string?> { ["Sec-WebSocket-Extensions"] = "permessage-deflate" });
        await client.ReceiveAsync(); // welcome

        await client.SendTextAsync($$"""{"type":"ping","id":"{{LongId}}"}""");
        var pong = await client.ReceiveAsync();
        Assert.False(pong!.Rsv1); // small frames stay plain
        var ack = await client.ReceiveAsync();
        Assert.True(ack!.Rsv1);
        Assert.True(ack.Payload.Length < LongId.Length);
        Assert.Equal($$"""{"type":"ack","id":"{{LongId}}"}""", Inflate(ack.Payload));
    }

    [Fact]
    public async Task Compression_is_not_negotiated_when_disabled()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await using var client = await Client.ConnectAsync(server.WebSocketUri(), o =>
        {
            o.DangerousDeflateOptions = new WebSocketDeflateOptions();
            o.CollectHttpResponseDetails = true;
        });
        Assert.False(client.Socket.HttpResponseHeaders!.ContainsKey("Sec-WebSocket-Extensions"));
        await client.SendAsync("""{"type":"ping"}""");
        Assert.Equal("pong", (await client.ReceiveAsync()).GetProperty("type").GetString());
    }

    private static string Inflate(byte[] payload)
    {
        using var inflate = new DeflateStream(new MemoryStream([.. payload, 0x00, 0x00, 0xFF, 0xFF]), CompressionMode.Decompress);
        using var text = new StreamReader(inflate, Encoding.UTF8);
        return text.ReadToEnd();
    }
}

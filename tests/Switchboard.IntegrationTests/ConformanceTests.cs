using System.Text;
using System.Text.Json;
using Switchboard.IntegrationTests.Support;
using static Switchboard.IntegrationTests.Support.RawWebSocket;

namespace Switchboard.IntegrationTests;

/// <summary>RFC 6455 conformance, each case written as raw bytes on a real socket.</summary>
public sealed class ConformanceTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{

    private async Task<RawWebSocket> ConnectAsync()
    {
        var client = await RawWebSocket.ConnectAsync(fixture.Server.BaseUri, "/ws?user_id=raw");
        Assert.Equal(101, client.Status);
        var welcome = await client.ReceiveAsync();
        Assert.Contains("\"welcome\"", welcome!.Text);
        return client;
    }

    private static async Task AssertFailedWith(RawWebSocket client, ushort code)
    {
        var close = await client.ReceiveCloseAsync();
        Assert.NotNull(close);
        Assert.Equal(code, close.CloseCode);
        Assert.True(await client.ServerClosedAsync());
    }

    [Fact]
    public async Task Unmasked_client_frame_fails_with_1002()
    {
        await using var client = await ConnectAsync();
        await client.SendFrameAsync(Text, """{"type":"ping"}"""u8.ToArray(), mask: false);
        await AssertFailedWith(client, 1002);
    }

    [Fact]
    public async Task Fragmented_message_with_an_interleaved_ping_is_assembled()
    {
        await using var client = await ConnectAsync();
        var message = """{"type":"ping","id":"fragments"}"""u8.ToArray();
        await client.SendFrameAsync(Text, message[..10], fin: false);
        await client.SendFrameAsync(Ping, "in between"u8.ToArray());
        await client.SendFrameAsync(Continuation, message[10..20], fin: false);
        await client.SendFrameAsync(Continuation, message[20..]);

        var pong = await client.ReceiveAsync();
        Assert.Equal(Pong, pong!.Opcode);
        Assert.Equal("in between", pong.Text);
        Assert.Equal("""{"type":"pong"}""", (await client.ReceiveAsync())!.Text);
        Assert.Equal("""{"type":"ack","id":"fragments"}""", (await client.ReceiveAsync())!.Text);
    }

    [Fact]
    public async Task Control_frame_over_125_bytes_fails_with_1002()
    {
        await using var client = await ConnectAsync();
        await client.SendFrameAsync(Ping, new byte[126]);
        await AssertFailedWith(client, 1002);
    }

    [Fact]
    public async Task Fragmented_control_frame_fails_with_1002()
    {
        await using var client = await ConnectAsync();
        await client.SendFrameAsync(Ping, "a"u8.ToArray(), fin: false);
        await AssertFailedWith(client, 1002);
    }

    [Theory]
    [InlineData(4)] // RSV1 without permessage-deflate
    [InlineData(2)]
    [InlineData(1)]
    public async Task Reserved_bits_without_an_extension_fail_with_1002(int rsv)
    {
        await using var client = await ConnectAsync();
        await client.SendFrameAsync(Text, """{"type":"ping"}"""u8.ToArray(), rsv: rsv);
        await AssertFailedWith(client, 1002);
    }

    [Theory]
    [InlineData(0x3)]
    [InlineData(0x7)]
    [InlineData(0xB)]
    [InlineData(0xF)]
    public async Task Unknown_opcode_fails_with_1002(int opcode)
    {
        await using var client = await ConnectAsync();
        await client.SendFrameAsync(opcode, "x"u8.ToArray());
        await AssertFailedWith(client, 1002);
    }

    [Fact]
    public async Task Continuation_without_a_message_fails_with_1002()
    {
        await using var client = await ConnectAsync();
        await client.SendFrameAsync(Continuation, "x"u8.ToArray());
        await AssertFailedWith(client, 1002);
    }

    [Fact]
    public async Task Invalid_utf8_text_fails_with_1007()
    {
        await using var client = await ConnectAsync();
        await client.SendFrameAsync(Text, [0x7B, 0xC3, 0x28, 0x7D]);
        await AssertFailedWith(client, 1007);
    }

    [Fact]
    public async Task Invalid_utf8_split_across_fragments_fails_with_1007()
    {
        await using var client = await ConnectAsync();
        // "€" is E2 82 AC; the second fragment breaks it off after two bytes.
        await client.SendFrameAsync(Text, [0x22, 0xE2, 0x82], fin: false);
        await client.SendFrameAsync(Continuation, [0x28, 0x22]);
        await AssertFailedWith(client, 1007);
    }

    [Fact]
    public async Task Valid_utf8_split_across_fragments_is_accepted()
    {
        await using var client = await ConnectAsync();
        var message = Encoding.UTF8.GetBytes("""{"type":"ping","id":"€uro"}""");
        var split = Array.IndexOf(message, (byte)0x82); // inside the euro sign
        await client.SendFrameAsync(Text, message[..split], fin: false);
        await client.SendFrameAsync(Continuation, message[split..]);
        Assert.Equal("""{"type":"pong"}""", (await client.ReceiveAsync())!.Text);
        Assert.Equal("""{"type":"ack","id":"€uro"}""", (await client.ReceiveAsync())!.Text);
    }

    [Fact]
    public async Task Close_handshake_echoes_the_code_and_the_server_closes_the_socket()
    {
        await using var client = await ConnectAsync();
        await client.SendFrameAsync(Close, [0x0F, 0xA0, .. "bye"u8]); // 4000
        var close = await client.ReceiveAsync();
        Assert.Equal(Close, close!.Opcode);
        Assert.Equal(4000, close.CloseCode);
        Assert.True(await client.ServerClosedAsync());
    }

    [Fact]
    public async Task Close_with_a_forbidden_code_fails_with_1002()
    {
        await using var client = await ConnectAsync();
        await client.SendFrameAsync(Close, [0x03, 0xED]); // 1005 must never be sent
        await AssertFailedWith(client, 1002);
    }

    [Fact]
    public async Task Ping_payload_is_echoed_in_the_pong()
    {
        await using var client = await ConnectAsync();
        var payload = Encoding.UTF8.GetBytes(new string('p', 125));
        await client.SendFrameAsync(Ping, payload);
        var pong = await client.ReceiveAsync();
        Assert.Equal(Pong, pong!.Opcode);
        Assert.Equal(payload, pong.Payload);
    }

    [Fact]
    public async Task Message_over_the_size_limit_fails_with_1009_from_its_header_alone()
    {
        await using var client = await ConnectAsync();
        // Announce 10 MB and send only the first kilobyte: the server must not wait for the rest.
        var header = Frame(Text, new byte[70_000])[..14];
        header[1] = 0x80 | 127;
        header[2..10].AsSpan().Clear();
        header[7] = 0x98; header[8] = 0x96; header[9] = 0x80; // 10,000,000
        await client.SendRawAsync([.. header, .. new byte[1024]]);
        await AssertFailedWith(client, 1009);
    }

    [Fact]
    public async Task Fragments_adding_up_past_the_size_limit_fail_with_1009()
    {
        await using var client = await ConnectAsync();
        var half = Switchboard.Streams.ConnectionOptions.DefaultMaxMessageSize / 2 + 1;
        await client.SendFrameAsync(Text, new byte[half], fin: false);
        await client.SendFrameAsync(Continuation, new byte[half], fin: false);
        await AssertFailedWith(client, 1009);
    }

    [Fact]
    public async Task Binary_message_that_is_not_utf8_fails_with_1007()
    {
        await using var client = await ConnectAsync();
        await client.SendFrameAsync(Binary, [0x7B, 0xFF, 0x00, 0x7D]);
        await AssertFailedWith(client, 1007);
    }

    [Fact]
    public async Task Binary_message_is_read_as_utf8_json()
    {
        await using var client = await ConnectAsync();
        await client.SendFrameAsync(Binary, """{"type":"ping","id":2}"""u8.ToArray());
        Assert.Equal("""{"type":"pong"}""", (await client.ReceiveAsync())!.Text);
        Assert.Equal("""{"type":"ack","id":2}""", (await client.ReceiveAsync())!.Text);
    }

    [Fact]
    public async Task Binary_message_that_is_not_json_gets_an_error_frame_and_the_connection_stays_open()
    {
        await using var client = await ConnectAsync();
        await client.SendFrameAsync(Binary, "nope"u8.ToArray());
        using var error = JsonDocument.Parse((await client.ReceiveAsync())!.Text);
        Assert.Equal("invalid_json", error.RootElement.GetProperty("data").GetProperty("code").GetString());

        await client.SendTextAsync("""{"type":"ping"}""");
        Assert.Equal("""{"type":"pong"}""", (await client.ReceiveAsync())!.Text);
    }

    [Fact]
    public async Task Server_frames_are_final_unmasked_text_frames()
    {
        await using var client = await ConnectAsync();
        await client.SendTextAsync("""{"type":"ping"}""");
        var pong = await client.ReceiveAsync();
        Assert.True(pong!.Fin);
        Assert.False(pong.Rsv1);
        Assert.Equal(Text, pong.Opcode);
    }
}

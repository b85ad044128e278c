using System.Buffers;
using System.Text;
using Switchboard.Service.Http;
using static Switchboard.Service.Http.UpgradeRequest;

namespace Switchboard.Service.Tests;

/// <summary>Reading an upgrade request's head off the transport: take only what is certain, leave the rest to Kestrel.</summary>
public sealed class UpgradeRequestTests
{
    private static readonly byte[] Start = StartOf("/ws");

    private const string Upgrade =
        "GET /ws?user_id=al%20ice&groups=a,b&groups=c HTTP/1.1\r\n" +
        "Host: 127.0.0.1:8080\r\n" +
        "Upgrade: websocket\r\n" +
        "Connection: Upgrade\r\n" +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
        "Sec-WebSocket-Version: 13\r\n" +
        "Sec-WebSocket-Extensions: permessage-deflate\r\n" +
        "Sec-WebSocket-Extensions: x-other\r\n" +
        "\r\n";

    private static Scan Read(string text, out UpgradeRequest? request, out int head) =>
        TryRead(Encoding.ASCII.GetBytes(text), Start, out request, out head);

    [Fact]
    public void A_complete_upgrade_head_is_read_with_its_query_and_headers()
    {
        Assert.Equal(Scan.Ready, Read(Upgrade + "\x81\x80", out var request, out var head));
        Assert.Equal(Upgrade.Length, head); // frames after the head stay for the connection
        Assert.Equal("al ice", request!.Query["user_id"].ToString());
        Assert.Equal(new[] { "a,b", "c" }, request.Query["groups"].ToArray());
        Assert.Equal("websocket", request.Headers["upgrade"].ToString());
        Assert.Equal(new[] { "permessage-deflate", "x-other" }, request.Headers.SecWebSocketExtensions.ToArray());

        var handshake = WebSocketHandshake.Negotiate("GET", request.Headers, compressionEnabled: true, out var error);
        Assert.Null(error);
        Assert.Equal("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", handshake!.Accept); // RFC 6455 §1.3
        Assert.True(handshake.Compress);
    }

    [Theory]
    [InlineData("")]
    [InlineData("G")]
    [InlineData("GET /w")]
    [InlineData("GET /ws")]
    [InlineData("GET /ws?user_id=a HTTP/1.1\r\nHost: x\r\n")]
    public void A_head_that_may_still_become_an_upgrade_needs_more(string text) =>
        Assert.Equal(Scan.NeedMore, Read(text, out _, out _));

    [Theory]
    [InlineData("POST /ws/message HTTP/1.1\r\n")]
    [InlineData("GET /ws/stats HTTP/1.1\r\nHost: x\r\n\r\n")]
    [InlineData("GET /wsx HTTP/1.1\r\nHost: x\r\n\r\n")]
    [InlineData("GET /WS HTTP/1.1\r\nHost: x\r\n\r\n")]
    [InlineData("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")]
    [InlineData("\x16\x03\x01\x02\x00")] // a TLS ClientHello
    [InlineData("GET /ws HTTP/1.0\r\nHost: x\r\n\r\n")]
    [InlineData("GET /ws  HTTP/1.1\r\nHost: x\r\n\r\n")]
    [InlineData("GET /ws HTTP/1.1\r\n\r\n")] // no Host
    [InlineData("GET /ws HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n")]
    [InlineData("GET /ws HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n")]
    [InlineData("GET /ws HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")]
    [InlineData("GET /ws HTTP/1.1\r\nHost: x\r\n folded: value\r\n\r\n")]
    [InlineData("GET /ws HTTP/1.1\r\nHost: x\r\nNo-Colon\r\n\r\n")]
    [InlineData("GET /ws HTTP/1.1\r\nHost: x\r\nName : value\r\n\r\n")]
    [InlineData("GET /ws HTTP/1.1\r\nHost: x\r\nX-Name: caf\u00e9\r\n\r\n")]
    public void Anything_else_is_left_to_kestrel(string text) =>
        Assert.Equal(Scan.NotOurs, TryRead(Encoding.Latin1.GetBytes(text), Start, out _, out _));

    [Fact]
    public void The_101_response_carries_the_negotiated_headers()
    {
        var written = new ArrayBufferWriter<byte>();
        new WebSocketHandshake("acc=", WebSocketHandshake.SubProtocolName, true).WriteResponse(written);
        var response = Encoding.ASCII.GetString(written.WrittenSpan);
        Assert.StartsWith("HTTP/1.1 101 Switching Protocols\r\n", response);
        Assert.Contains("\r\nConnection: Upgrade\r\n", response);
        Assert.Contains("\r\nUpgrade: websocket\r\n", response);
        Assert.Contains("\r\nSec-WebSocket-Accept: acc=\r\n", response);
        Assert.Contains("\r\nSec-WebSocket-Protocol: switchboard.v1\r\n", response);
        Assert.Contains("\r\nSec-WebSocket-Extensions: permessage-deflate", response);
        Assert.EndsWith("\r\n\r\n", response);
    }
}

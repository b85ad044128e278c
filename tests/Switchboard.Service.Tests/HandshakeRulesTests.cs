using Microsoft.AspNetCore.Http;
using Switchboard.Service.Http;

namespace Switchboard.Service.Tests;

public sealed class HandshakeRulesTests
{
    private static WebSocketHandshake? Negotiate(HttpRequest request, bool compressionEnabled, out ApiError? error) =>
        WebSocketHandshake.Negotiate(request.Method, request.Headers, compressionEnabled, out error);

    private static HttpRequest Upgrade(Action<IHeaderDictionary>? change = null, string method = "GET")
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        var headers = context.Request.Headers;
        headers.Upgrade = "websocket";
        headers.Connection = "keep-alive, Upgrade";
        headers.SecWebSocketVersion = "13";
        headers.SecWebSocketKey = "dGhlIHNhbXBsZSBub25jZQ==";
        change?.Invoke(headers);
        return context.Request;
    }

    [Fact]
    public void Accept_is_computed_as_in_RFC_6455_section_1_3() =>
        Assert.Equal("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", WebSocketHandshake.ComputeAccept("dGhlIHNhbXBsZSBub25jZQ=="));

    [Fact]
    public void Valid_upgrade_is_accepted_without_extras()
    {
        var handshake = Negotiate(Upgrade(), compressionEnabled: false, out var error);
        Assert.Null(error);
        Assert.NotNull(handshake);
        Assert.Null(handshake.SubProtocol);
        Assert.False(handshake.Compress);
    }

    [Theory]
    [InlineData("POST", null, null, "bad_handshake")]
    [InlineData("GET", "Upgrade", "h2c", "websocket_required")]
    [InlineData("GET", "Connection", "keep-alive", "bad_handshake")]
    [InlineData("GET", "Sec-WebSocket-Version", "8", "unsupported_version")]
    [InlineData("GET", "Sec-WebSocket-Key", "not base64!", "bad_handshake")]
    [InlineData("GET", "Sec-WebSocket-Key", "AAAAAAAAAAAAAAAAAAAAAAAAAAA=", "bad_handshake")]
    public void Invalid_upgrade_is_refused_with_a_code(string method, string? header, string? value, string code)
    {
        var request = Upgrade(h =>
        {
            if (header is not null)
                h[header] = value;
        }, method);
        Assert.Null(Negotiate(request, compressionEnabled: false, out var error));
        Assert.Equal(code, error!.Error);
    }

    [Fact]
    public void Subprotocol_is_selected_only_when_offered()
    {
        var offered = Negotiate(Upgrade(h => h.SecWebSocketProtocol = "chat, switchboard.v1"), false, out _);
        Assert.Equal("switchboard.v1", offered!.SubProtocol);
        var other = Negotiate(Upgrade(h => h.SecWebSocketProtocol = "chat"), false, out _);
        Assert.Null(other!.SubProtocol);
    }

    [Theory]
    [InlineData(new[] { "keep-alive", " Upgrade " }, true)]
    [InlineData(new[] { "keep-alive,,UPGRADE" }, true)]
    [InlineData(new[] { "keep-alive, upgrades" }, false)]
    [InlineData(new[] { "upgrade-insecure, keep-alive" }, false)]
    [InlineData(new[] { "," }, false)]
    public void Connection_tokens_are_matched_whole_over_every_header_line(string[] lines, bool accepted)
    {
        var handshake = Negotiate(Upgrade(h => h.Connection = lines), compressionEnabled: false, out var error);
        Assert.Equal(accepted, handshake is not null);
        Assert.Equal(accepted ? null : "bad_handshake", error?.Error);
    }

    [Fact]
    public void Subprotocol_is_matched_exactly()
    {
        Assert.Null(Negotiate(Upgrade(h => h.SecWebSocketProtocol = "Switchboard.v1, switchboard.v10"), false, out _)!.SubProtocol);
        Assert.Equal("switchboard.v1",
            Negotiate(Upgrade(h => h.SecWebSocketProtocol = new[] { "chat", " switchboard.v1" }), false, out _)!.SubProtocol);
    }

    [Theory]
    [InlineData(true, "permessage-deflate", true)]
    [InlineData(false, "permessage-deflate", false)]
    [InlineData(true, null, false)]
    public void Compression_needs_both_the_setting_and_the_offer(bool enabled, string? offer, bool expected)
    {
        var handshake = Negotiate(Upgrade(h => h.SecWebSocketExtensions = offer), enabled, out _);
        Assert.Equal(expected, handshake!.Compress);
    }
}

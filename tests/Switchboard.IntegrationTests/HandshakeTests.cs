using System.Net;
using System.Text.Json;
using Switchboard.IntegrationTests.Support;
using Switchboard.Service.Settings;

namespace Switchboard.IntegrationTests;

/// <summary>The opening handshake over real HTTP: refusals carry a status and a JSON body.</summary>
public sealed class HandshakeTests(HandshakeTests.LimitedServer fixture) : IClassFixture<HandshakeTests.LimitedServer>
{
    public sealed class LimitedServer : ServerFixture
    {
        protected override Func<SwitchboardOptions, SwitchboardOptions> Configure =>
            o => o with { EnableCompression = true, MaxConnections = 3 };
    }

    private Uri Base => fixture.Server.BaseUri;

    private static string ErrorCode(RawWebSocket response) =>
        JsonDocument.Parse(response.Body).RootElement.GetProperty("error").GetString()!;

    [Theory]
    [InlineData("Sec-WebSocket-Key", null, "bad_handshake")]
    [InlineData("Sec-WebSocket-Key", "c2hvcnQ=", "bad_handshake")]
    [InlineData("Sec-WebSocket-Version", "8", "unsupported_version")]
    [InlineData("Sec-WebSocket-Version", null, "unsupported_version")]
    [InlineData("Connection", "keep-alive", "bad_handshake")]
    [InlineData("Upgrade", null, "websocket_required")]
    public async Task Bad_handshake_gets_400_with_a_json_body(string header, string? value, string code)
    {
        await using var response = await RawWebSocket.ConnectAsync(Base, headers: new Dictionary<string, string?> { [header] = value });
        Assert.Equal(400, response.Status);
        Assert.StartsWith("application/json", response.Headers["Content-Type"]);
        Assert.Equal(code, ErrorCode(response));
    }

    [Fact]
    public async Task Wrong_version_is_told_the_supported_one()
    {
        await using var response = await RawWebSocket.ConnectAsync(Base,
            headers: new Dictionary<string, string?> { ["Sec-WebSocket-Version"] = "8" });
        Assert.Equal("13", response.Headers["Sec-WebSocket-Version"]);
    }

    [Fact]
    public async Task Post_upgrade_gets_400()
    {
        await using var response = await RawWebSocket.ConnectAsync(Base, method: "POST",
            headers: new Dictionary<string, string?> { ["Content-Length"] = "0" });
        Assert.Equal(400, response.Status);
        Assert.Equal("bad_handshake", ErrorCode(response));
    }

    [Fact]
    public async Task Plain_get_gets_400_with_a_json_body()
    {
        var response = await fixture.Server.Http.GetAsync("/ws");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("websocket_required", body.GetProperty("error").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("message").GetString()));
    }

    [Fact]
    public async Task Accept_hash_answers_the_key()
    {
        const string key = "dGhlIHNhbXBsZSBub25jZQ==";
        await using var response = await RawWebSocket.ConnectAsync(Base, headers: new Dictionary<string, string?> { ["Sec-WebSocket-Key"] = key });
        Assert.Equal(101, response.Status);
        Assert.Equal("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", response.Headers["Sec-WebSocket-Accept"]);
    }

    [Fact]
    public async Task Known_subprotocol_is_selected_and_unknown_ones_are_not()
    {
        await using var known = await RawWebSocket.ConnectAsync(Base,
            headers: new Dictionary<string, string?> { ["Sec-WebSocket-Protocol"] = "chat, switchboard.v1" });
        Assert.Equal("switchboard.v1", known.Headers["Sec-WebSocket-Protocol"]);

        await using var unknown = await RawWebSocket.ConnectAsync(Base,
            headers: new Dictionary<string, string?> { ["Sec-WebSocket-Protocol"] = "chat" });
        Assert.Equal(101, unknown.Status);
        Assert.False(unknown.Headers.ContainsKey("Sec-WebSocket-Protocol"));
    }

    [Fact]
    public async Task Deflate_offer_is_answered_with_no_context_takeover()
    {
        await using var response = await RawWebSocket.ConnectAsync(Base,
            headers: new Dictionary<string, string?> { ["Sec-WebSocket-Extensions"] = "permessage-deflate; client_max_window_bits" });
        Assert.Equal("permessage-deflate; server_no_context_takeover; client_no_context_takeover",
            response.Headers["Sec-WebSocket-Extensions"]);
    }

    [Fact]
    public async Task Unacceptable_deflate_offer_is_declined()
    {
        await using var response = await RawWebSocket.ConnectAsync(Base,
            headers: new Dictionary<string, string?> { ["Sec-WebSocket-Extensions"] = "permessage-deflate; server_max_window_bits=9" });
        Assert.Equal(101, response.Status);
        Assert.False(response.Headers.ContainsKey("Sec-WebSocket-Extensions"));
    }

    [Fact]
    public async Task Invalid_user_id_gets_400()
    {
        await using var response = await RawWebSocket.ConnectAsync(Base, "/ws?user_id=" + new string('u', 129));
        Assert.Equal(400, response.Status);
        Assert.Equal("invalid_user_id", ErrorCode(response));
    }

    [Fact]
    public async Task Upgrades_beyond_max_connections_get_429_and_a_freed_slot_admits_again()
    {
        // This fixture's node holds at most three; other tests of the class only use short-lived ones.
        await Eventually.TrueAsync(() => fixture.Server.Hub.Slots.Count == 0, "the node is empty");
        var held = new List<RawWebSocket>();
        for (var i = 0; i < 3; i++)
            held.Add(await RawWebSocket.ConnectAsync(Base));
        Assert.All(held, c => Assert.Equal(101, c.Status));

        await using (var refused = await RawWebSocket.ConnectAsync(Base))
        {
            Assert.Equal(429, refused.Status);
            Assert.Equal("too_many_connections", ErrorCode(refused));
        }

        await held[0].DisposeAsync();
        await Eventually.TrueAsync(() => fixture.Server.Hub.Slots.Count == 2, "the closed connection is gone");
        await using var admitted = await RawWebSocket.ConnectAsync(Base);
        Assert.Equal(101, admitted.Status);
        foreach (var client in held.Skip(1))
            await client.DisposeAsync();
    }
}

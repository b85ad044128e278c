using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Switchboard.IntegrationTests.Support;
using Switchboard.Service.RateLimiting;

namespace Switchboard.IntegrationTests;

/// <summary>
/// Upgrades taken on the transport, below Kestrel's HTTP layer, and every case that goes on to the HTTP
/// pipeline instead. Kestrel's answers carry its Server header; the transport's 101 does not.
/// </summary>
public sealed class TransportUpgradeTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private static bool AnsweredByKestrel(RawWebSocket response) => response.Headers.ContainsKey("Server");

    private static async Task<string> WelcomeAsync(RawWebSocket client) => (await client.ReceiveAsync())!.Text;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Both_paths_serve_the_same_protocol(bool transportUpgrades)
    {
        await using var server = await SwitchboardServer.StartAsync(transportUpgrades: transportUpgrades);
        await using var alice = await RawWebSocket.ConnectAsync(server.BaseUri, "/ws?user_id=alice&groups=room");
        await using var bob = await RawWebSocket.ConnectAsync(server.BaseUri, "/ws?user_id=bob",
            new Dictionary<string, string?> { ["Sec-WebSocket-Protocol"] = "switchboard.v1" });

        Assert.Equal(101, alice.Status);
        Assert.Equal(!transportUpgrades, AnsweredByKestrel(alice));
        Assert.Equal("switchboard.v1", bob.Headers["Sec-WebSocket-Protocol"]);
        Assert.Contains("\"user_id\":\"alice\"", await WelcomeAsync(alice));
        Assert.Contains("\"user_id\":\"bob\"", await WelcomeAsync(bob));

        await bob.SendTextAsync("""{"type":"message","to":"alice","data":"hi"}""");
        Assert.Contains("\"from\":\"bob\"", (await alice.ReceiveSkippingPingsAsync())!.Text);
        await bob.SendTextAsync("""{"type":"group","group":"room","data":"all"}""");
        Assert.Contains("\"data\":\"all\"", (await alice.ReceiveSkippingPingsAsync())!.Text);
    }

    [Fact]
    public async Task A_head_that_arrives_in_pieces_is_upgraded_on_the_transport()
    {
        var server = fixture.Server;
        using var tcp = await OpenAsync(server);
        var stream = tcp.GetStream();
        var head = Handshake("/ws?user_id=pieces", server.BaseUri.Authority);
        foreach (var piece in head.Chunk(7))
        {
            await stream.WriteAsync(piece);
            await stream.FlushAsync();
            await Task.Delay(5); // separate TCP segments
        }
        var answer = await ReadUntilAsync(stream, "welcome");
        Assert.StartsWith("HTTP/1.1 101", answer);
        Assert.DoesNotContain("Server:", answer);
    }

    [Fact]
    public async Task Frames_sent_with_the_head_reach_the_connection()
    {
        var server = fixture.Server;
        using var tcp = await OpenAsync(server);
        var stream = tcp.GetStream();
        var ping = RawWebSocket.Frame(RawWebSocket.Text, Encoding.UTF8.GetBytes("""{"type":"ping"}"""));
        await stream.WriteAsync(Handshake("/ws", server.BaseUri.Authority).Concat(ping).ToArray()); // one write

        var answer = await ReadUntilAsync(stream, "\"pong\"");
        Assert.StartsWith("HTTP/1.1 101", answer);
        Assert.Contains("welcome", answer);
    }

    [Fact]
    public async Task The_user_id_header_is_read_on_the_transport()
    {
        var server = fixture.Server;
        await using var client = await RawWebSocket.ConnectAsync(server.BaseUri, "/ws",
            new Dictionary<string, string?> { ["X-User-ID"] = "from-header" });
        Assert.False(AnsweredByKestrel(client));
        Assert.Contains("\"user_id\":\"from-header\"", await WelcomeAsync(client));
    }

    [Fact]
    public async Task A_head_longer_than_the_transport_reads_goes_through_http()
    {
        var server = fixture.Server;
        await using var client = await RawWebSocket.ConnectAsync(server.BaseUri, "/ws?user_id=cookies",
            new Dictionary<string, string?> { ["Cookie"] = "session=" + new string('c', 9000) });
        Assert.Equal(101, client.Status);
        Assert.True(AnsweredByKestrel(client));
        Assert.Contains("welcome", await WelcomeAsync(client));
    }

    [Fact]
    public async Task An_upgrade_after_an_api_request_on_the_same_connection_goes_through_http()
    {
        var server = fixture.Server;
        using var tcp = await OpenAsync(server);
        var stream = tcp.GetStream();
        var requests = Encoding.ASCII.GetBytes($"GET /ws/health HTTP/1.1\r\nHost: {server.BaseUri.Authority}\r\n\r\n")
            .Concat(Handshake("/ws?user_id=second", server.BaseUri.Authority)).ToArray();
        await stream.WriteAsync(requests); // pipelined: both in one write

        var answer = await ReadUntilAsync(stream, "welcome");
        Assert.StartsWith("HTTP/1.1 200", answer);
        Assert.Contains("HTTP/1.1 101", answer);
    }

    [Fact]
    public async Task Upgrades_the_rate_limiter_covers_go_through_http_and_are_limited()
    {
        await using var server = await SwitchboardServer.StartAsync(
            rateLimiter: o => o with { PerRouteRates = new() { ["/ws"] = "2-M" } });
        await using var first = await RawWebSocket.ConnectAsync(server.BaseUri, "/ws?user_id=a");
        await using var second = await RawWebSocket.ConnectAsync(server.BaseUri, "/ws?user_id=b");
        await using var third = await RawWebSocket.ConnectAsync(server.BaseUri, "/ws?user_id=c");

        Assert.Equal(101, first.Status);
        Assert.Equal("2", first.Headers["X-RateLimit-Limit"]);
        Assert.Equal(101, second.Status);
        Assert.Equal(429, third.Status);
        Assert.Equal("rate_limited", JsonDocument.Parse(third.Body).RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Upgrades_the_rate_limiter_skips_stay_on_the_transport()
    {
        await using var server = await SwitchboardServer.StartAsync(
            rateLimiter: o => o with { Rate = "1-M", SkipPaths = ["/ws"] });
        await using var first = await RawWebSocket.ConnectAsync(server.BaseUri, "/ws?user_id=a");
        await using var second = await RawWebSocket.ConnectAsync(server.BaseUri, "/ws?user_id=b");
        Assert.Equal(101, first.Status);
        Assert.Equal(101, second.Status);
        Assert.False(AnsweredByKestrel(second));
    }

    [Fact]
    public async Task A_socket_that_never_sends_a_byte_is_closed_after_the_handshake_timeout()
    {
        await using var server = await SwitchboardServer.StartAsync(o => o with { HandshakeTimeout = TimeSpan.FromSeconds(1) });
        using var tcp = await OpenAsync(server);

        using var guard = new CancellationTokenSource(Eventually.Deadline);
        var read = await tcp.GetStream().ReadAsync(new byte[64], guard.Token);
        Assert.Equal(0, read); // closed without an answer, as Kestrel closes an idle keep-alive connection
    }

    private static async Task<TcpClient> OpenAsync(SwitchboardServer server)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(server.BaseUri.Host, server.BaseUri.Port);
        return tcp;
    }

    private static byte[] Handshake(string target, string host) => Encoding.ASCII.GetBytes(
        $"GET {target} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");

    private static async Task<string> ReadUntilAsync(NetworkStream stream, string marker)
    {
        using var guard = new CancellationTokenSource(Eventually.Deadline);
        var buffer = new byte[4096];
        var text = new StringBuilder();
        while (!text.ToString().Contains(marker))
        {
            var read = await stream.ReadAsync(buffer, guard.Token);
            Assert.True(read > 0, $"closed before \"{marker}\": {text}");
            text.Append(Encoding.Latin1.GetString(buffer, 0, read));
        }
        return text.ToString();
    }
}

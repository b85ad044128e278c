using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using Switchboard.IntegrationTests.Support;

namespace Switchboard.IntegrationTests;

/// <summary>
/// <c>Auth:AllowedOrigins</c> on both upgrade paths, with plain clients that set Origin as a browser would.
/// A refused upgrade is always answered by the HTTP pipeline (the transport path words no refusal), so an
/// accepted one shows which path took it.
/// </summary>
public sealed class OriginTests
{
    private const string Listed = "http://app.example";
    private const string AlsoListed = "https://admin.example:8443";

    private static Task<SwitchboardServer> StartAsync(bool transportUpgrades) =>
        SwitchboardServer.StartAsync(transportUpgrades: transportUpgrades,
            configuration: new Dictionary<string, string?> { ["Auth:AllowedOrigins"] = $"{Listed}, {AlsoListed}" });

    private static Task<RawWebSocket> UpgradeAsync(SwitchboardServer server, string user, string? origin) =>
        RawWebSocket.ConnectAsync(server.BaseUri, $"/ws?user_id={user}", new Dictionary<string, string?> { ["Origin"] = origin });

    private static bool AnsweredByKestrel(RawWebSocket response) => response.Headers.ContainsKey("Server");

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_listed_origin_is_accepted(bool transportUpgrades)
    {
        await using var server = await StartAsync(transportUpgrades);

        await using var client = await Client.ConnectAsync(server.WebSocketUri("user_id=alice"),
            options => options.SetRequestHeader("Origin", Listed));
        Assert.Equal("alice", client.UserId);
        foreach (var origin in new[] { AlsoListed, "HTTP://APP.EXAMPLE" }) // compared without regard to case
        {
            await using var raw = await UpgradeAsync(server, "raw", origin);
            Assert.Equal(101, raw.Status);
            Assert.Equal(!transportUpgrades, AnsweredByKestrel(raw));
            Assert.Contains("welcome", (await raw.ReceiveAsync())!.Text);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Any_other_origin_gets_403_forbidden_origin(bool transportUpgrades)
    {
        await using var server = await StartAsync(transportUpgrades);

        // Another host, scheme, port or subdomain, and the opaque origin of a sandboxed frame or a file.
        foreach (var origin in new[] { "http://evil.example", "https://app.example", "http://app.example:8080",
                     "http://www.app.example", "https://admin.example", "null" })
        {
            await using var raw = await UpgradeAsync(server, "mallory", origin);
            Assert.True(raw.Status == 403, $"{origin}: {raw.Status}");
            Assert.True(AnsweredByKestrel(raw));
            var body = JsonDocument.Parse(raw.Body).RootElement;
            Assert.Equal("forbidden_origin", body.GetProperty("error").GetString());
            Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("message").GetString()));
        }

        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Origin", "http://evil.example");
        socket.Options.CollectHttpResponseDetails = true;
        using var guard = new CancellationTokenSource(Eventually.Deadline);
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(server.WebSocketUri("user_id=mallory"), guard.Token));
        Assert.Equal(HttpStatusCode.Forbidden, socket.HttpStatusCode);
        Assert.Equal(0, (await server.StatsAsync()).GetProperty("connections").GetInt64());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_upgrade_without_origin_is_not_refused_for_it(bool transportUpgrades)
    {
        await using var server = await StartAsync(transportUpgrades);

        await using var raw = await UpgradeAsync(server, "backend", origin: null);
        Assert.Equal(101, raw.Status);
        Assert.Equal(!transportUpgrades, AnsweredByKestrel(raw));
        await using var client = await Client.ConnectAsync(server.WebSocketUri("user_id=service")); // sends no Origin
        Assert.Equal("service", client.UserId);
    }

    [Fact]
    public async Task Without_the_setting_any_origin_is_accepted()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await using var raw = await UpgradeAsync(server, "anyone", "http://anywhere.example");
        Assert.Equal(101, raw.Status);
    }

    [Fact]
    public async Task A_bad_origin_stops_the_service_naming_it()
    {
        await using var node = ServiceProcess.Start(new Dictionary<string, string>
        {
            ["Auth__AllowedOrigins__0"] = "http://app.example",
            ["Auth__AllowedOrigins__1"] = "https://app.example/chat",
        });
        Assert.Equal(2, await node.WaitForExitAsync());
        Assert.Contains("Auth:AllowedOrigins=\"https://app.example/chat\"", node.Output);
        Assert.DoesNotContain("\"http://app.example\"", node.Output);
    }
}

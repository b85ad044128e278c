using System.Text.Json;
using Switchboard.IntegrationTests.Support;

namespace Switchboard.IntegrationTests;

/// <summary>An application adds the hub with AddSwitchboard and maps it under a prefix of its choosing.</summary>
public sealed class EmbeddingTests
{
    [Fact]
    public async Task Hub_mapped_under_a_custom_prefix_serves_there()
    {
        await using var server = await SwitchboardServer.StartAsync(prefix: "/realtime");
        await using var client = await Client.ConnectAsync(server.WebSocketUri("user_id=embedded"));
        await client.SendAsync("""{"type":"ping"}""");
        Assert.Equal("pong", (await client.ReceiveAsync()).GetProperty("type").GetString());

        var health = await server.Http.GetAsync("/realtime/health");
        Assert.True(health.IsSuccessStatusCode);
        Assert.Equal(404, (int)(await server.Http.GetAsync("/ws/health")).StatusCode);
    }

    [Fact]
    public async Task Settings_come_from_the_application_configuration()
    {
        await using var server = await SwitchboardServer.StartAsync(configuration: new Dictionary<string, string?>
        {
            ["WebSocket:MaxConnections"] = "7",
            ["WEBSOCKET_MAX_MESSAGE_SIZE"] = "2048",
        });
        var stats = await server.StatsAsync();
        Assert.Equal(7, stats.GetProperty("max_connections").GetInt64());
        Assert.Equal(2048, server.Hub.Options.Connection.MaxMessageSize);
    }

    [Fact]
    public async Task Invalid_settings_stop_start_up_with_the_variable_and_value()
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => SwitchboardServer.StartAsync(
            configuration: new Dictionary<string, string?> { ["WEBSOCKET_COMPRESSION_LEVEL"] = "12" }));
        Assert.Contains("WEBSOCKET_COMPRESSION_LEVEL", failure.ToString());
        Assert.Contains("12", failure.ToString());
    }
}

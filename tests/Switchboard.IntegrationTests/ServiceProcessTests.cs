using System.Net.WebSockets;
using System.Text.Json;
using Switchboard.IntegrationTests.Support;

namespace Switchboard.IntegrationTests;

/// <summary>The standalone service as an operator runs it: its own process, started and stopped by signal.</summary>
public sealed class ServiceProcessTests
{
    [Fact]
    public async Task Sigterm_closes_connections_with_1001_refuses_new_ones_with_503_and_exits()
    {
        await using var node = ServiceProcess.Start(new Dictionary<string, string> { ["WEBSOCKET_SHUTDOWN_TIMEOUT"] = "10" });
        await node.WaitUntilHealthyAsync();
        var uri = new Uri($"ws://{node.BaseUri.Authority}/ws?user_id=stayer");
        await using var first = await Client.ConnectAsync(uri);
        await using var second = await Client.ConnectAsync(uri);
        // A client that never answers the close frame keeps the drain open until the close timeout.
        await using var silent = await RawWebSocket.ConnectAsync(node.BaseUri, "/ws?user_id=silent");
        await silent.ReceiveAsync();

        node.Terminate();

        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, await first.ReceiveCloseAsync());
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, await second.ReceiveCloseAsync());
        Assert.Equal("server shutting down", first.Socket.CloseStatusDescription);

        await using (var late = await RawWebSocket.ConnectAsync(node.BaseUri, "/ws?user_id=late"))
        {
            Assert.Equal(503, late.Status);
            Assert.Equal("draining", JsonDocument.Parse(late.Body).RootElement.GetProperty("error").GetString());
        }
        using (var http = new HttpClient { BaseAddress = node.BaseUri })
        {
            var health = await http.GetAsync("/ws/health");
            Assert.Equal(503, (int)health.StatusCode);
            Assert.Equal("draining", JsonDocument.Parse(await health.Content.ReadAsStringAsync()).RootElement
                .GetProperty("status").GetString());
        }

        Assert.Equal(1001, (await silent.ReceiveCloseAsync())!.CloseCode);
        Assert.Equal(0, await node.WaitForExitAsync());
    }

    [Fact]
    public async Task Invalid_setting_stops_start_up_with_one_message_naming_variable_and_value()
    {
        await using var node = ServiceProcess.Start(new Dictionary<string, string>
        {
            ["WEBSOCKET_MAX_CONNECTIONS"] = "lots",
            ["WEBSOCKET_CONNECTION_TIMEOUT"] = "10",
        });
        Assert.Equal(2, await node.WaitForExitAsync());
        Assert.Contains("WEBSOCKET_MAX_CONNECTIONS=\"lots\": not a whole number", node.Output);
    }

    [Fact]
    public async Task Invalid_rate_limiter_settings_stop_start_up_listing_every_problem()
    {
        await using var node = ServiceProcess.Start(new Dictionary<string, string>
        {
            ["RateLimiter__Rate"] = "5:M",
            ["RateLimiter__Store"] = "redis",
        });
        Assert.Equal(2, await node.WaitForExitAsync());
        Assert.Contains("RateLimiter:Rate: \"5:M\" is not a rate", node.Output);
        Assert.Contains("RateLimiter:Redis is required with RateLimiter:Store=redis", node.Output);
    }

    [Fact]
    public async Task Problems_in_several_sections_stop_start_up_in_one_message()
    {
        await using var node = ServiceProcess.Start(new Dictionary<string, string>
        {
            ["WEBSOCKET_MAX_CONNECTIONS"] = "lots",
            ["Auth__Jwt__Secret"] = "tiny-secret-xq",
            ["Auth__AllowedOrigins"] = "https://app.example.com/",
        });
        Assert.Equal(2, await node.WaitForExitAsync());
        Assert.Single(node.Output.Split('\n'), line => line.Contains("Invalid Switchboard settings"));
        Assert.Contains("WEBSOCKET_MAX_CONNECTIONS=\"lots\"", node.Output);
        Assert.Contains("Auth:Jwt:Secret: 14 bytes", node.Output);
        Assert.Contains("https://app.example.com/", node.Output);
        Assert.DoesNotContain("tiny-secret-xq", node.Output); // a secret is never echoed
    }

    [Fact]
    public async Task Invalid_metrics_settings_stop_start_up_with_one_message_listing_every_problem()
    {
        await using var node = ServiceProcess.Start(new Dictionary<string, string>
        {
            ["Metrics__Enabled"] = "sometimes",
            ["Metrics__DeliverySampleEvery"] = "-1",
            ["Metrics__ShardingRefreshSeconds"] = "0",
            ["WEBSOCKET_MAX_CONNECTIONS"] = "lots",
        });
        Assert.Equal(2, await node.WaitForExitAsync());
        Assert.Single(node.Output.Split('\n'), line => line.Contains("Invalid Switchboard settings"));
        Assert.Contains("Metrics:Enabled=\"sometimes\": not a boolean", node.Output);
        Assert.Contains("Metrics:DeliverySampleEvery=\"-1\": not a whole number from 0 to 1000000", node.Output);
        Assert.Contains("Metrics:ShardingRefreshSeconds=\"0\": must be above 0 seconds", node.Output);
        Assert.Contains("WEBSOCKET_MAX_CONNECTIONS=\"lots\"", node.Output);
    }

    [Fact]
    public async Task Invalid_namespace_settings_stop_start_up_with_one_message_listing_every_problem()
    {
        await using var node = ServiceProcess.Start(new Dictionary<string, string>
        {
            ["Namespaces__Rules__chat__ClientPublish"] = "everyone",
            ["Namespaces__Rules__News__Presence"] = "true",
            ["Presence__LeaveDelay"] = "7200",
            ["WEBSOCKET_MAX_CONNECTIONS"] = "lots",
        });
        Assert.Equal(2, await node.WaitForExitAsync());
        Assert.Single(node.Output.Split('\n'), line => line.Contains("Invalid Switchboard settings"));
        Assert.Contains("Namespaces:Rules:chat:ClientPublish=\"everyone\": not anyone, members or none", node.Output);
        Assert.Contains("Namespaces:Rules:News: \"News\" cannot name a namespace", node.Output);
        Assert.Contains("Presence:LeaveDelay=\"7200\": more than 3600 seconds (an hour)", node.Output);
        Assert.Contains("WEBSOCKET_MAX_CONNECTIONS=\"lots\"", node.Output);
    }

    [Fact]
    public async Task Two_standalone_nodes_run_side_by_side_without_settings()
    {
        await using var byArgument = ServiceProcess.Start();
        await using var byEnvironment = ServiceProcess.Start(useUrlsArgument: false);
        await byArgument.WaitUntilHealthyAsync();
        await byEnvironment.WaitUntilHealthyAsync();

        foreach (var node in new[] { byArgument, byEnvironment })
        {
            await using var client = await Client.ConnectAsync(new Uri($"ws://{node.BaseUri.Authority}/ws"));
            await client.SendAsync("""{"type":"ping"}""");
            Assert.Equal("pong", (await client.ReceiveAsync()).GetProperty("type").GetString());
        }
    }
}

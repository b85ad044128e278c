using System.Text.Json;
using Microsoft.Extensions.Logging;
using Switchboard.IntegrationTests.Support;

namespace Switchboard.IntegrationTests;

/// <summary>
/// <c>Auth:AllowedOrigins</c> against a real browser: a page served on loopback opens a WebSocket to the node and
/// reports what happened. The page is one <see cref="PageServer"/>, reached as http://127.0.0.1:port or
/// http://localhost:port, two origins to a browser; only the first is listed.
/// </summary>
public sealed class OriginBrowserTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_page_from_a_listed_origin_connects_and_is_welcomed(bool transportUpgrades)
    {
        await using var pages = await PageServer.StartAsync();
        await using var node = await SwitchboardServer.StartAsync(transportUpgrades: transportUpgrades,
            configuration: new Dictionary<string, string?> { ["Auth:AllowedOrigins"] = pages.Origin("127.0.0.1") });

        var result = await pages.VisitAsync("127.0.0.1", WebSocketPage(node));

        Assert.StartsWith("open message ", result);
        var welcome = JsonDocument.Parse(result["open message ".Length..]).RootElement;
        Assert.Equal("welcome", welcome.GetProperty("type").GetString());
        Assert.Equal("browser", welcome.GetProperty("data").GetProperty("user_id").GetString());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_page_from_another_origin_is_refused(bool transportUpgrades)
    {
        await using var pages = await PageServer.StartAsync();
        var logs = new CapturedLogs();
        await using var node = await SwitchboardServer.StartAsync(transportUpgrades: transportUpgrades,
            configuration: new Dictionary<string, string?> { ["Auth:AllowedOrigins"] = pages.Origin("127.0.0.1") },
            logging: l => l.AddProvider(logs).AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Information));

        var result = await pages.VisitAsync("localhost", WebSocketPage(node));

        // A browser tells a page only that the connection failed (1006); the node's log shows why.
        Assert.Equal("error close 1006", result);
        Assert.Contains(logs.Lines, l => l.Contains("Request finished") && l.Contains("/ws?user_id=browser") && l.Contains(" 403 "));
        Assert.Equal(0, (await node.StatsAsync()).GetProperty("connections").GetInt64());
    }

    // Reports once: "open message <the first frame>" or the events before the close and its code.
    private static string WebSocketPage(SwitchboardServer node) => $$"""
        <!doctype html>
        <html><body><script>
        let reported = false;
        const events = [];
        function report(result) {
          if (reported) return;
          reported = true;
          fetch('/report?result=' + encodeURIComponent(result));
        }
        const socket = new WebSocket('ws://127.0.0.1:{{node.BaseUri.Port}}/ws?user_id=browser');
        socket.onopen = () => events.push('open');
        socket.onmessage = e => { report(events.concat('message ' + e.data).join(' ')); socket.close(); };
        socket.onerror = () => events.push('error');
        socket.onclose = e => report(events.concat('close ' + e.code).join(' '));
        </script></body></html>
        """;
}

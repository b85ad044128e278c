using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Switchboard.IntegrationTests.Support;

namespace Switchboard.IntegrationTests;

/// <summary>
/// <c>Auth:AllowedOrigins</c> against a real browser: a page served on loopback opens a WebSocket to the node and
/// reports what happened. The page is one server, reached as http://127.0.0.1:port or http://localhost:port, two
/// origins to a browser; only the first is listed.
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

        var result = await pages.VisitAsync("127.0.0.1", node);

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

        var result = await pages.VisitAsync("localhost", node);

        // A browser tells a page only that the connection failed (1006); the node's log shows why.
        Assert.Equal("error close 1006", result);
        Assert.Contains(logs.Lines, l => l.Contains("Request finished") && l.Contains("/ws?user_id=browser") && l.Contains(" 403 "));
        Assert.Equal(0, (await node.StatsAsync()).GetProperty("connections").GetInt64());
    }

    /// <summary>Serves the page and takes its one report.</summary>
    private sealed class PageServer : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly int _port;
        private int _nodePort;
        private TaskCompletionSource<string> _report = NewReport();

        private PageServer(WebApplication app, int port)
        {
            _app = app;
            _port = port;
        }

        public string Origin(string host) => $"http://{host}:{_port}";

        public static async Task<PageServer> StartAsync()
        {
            var port = ServiceProcess.FreePort();
            while (port == 10080) // a port Chromium refuses to load from
                port = ServiceProcess.FreePort();
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            // Both 127.0.0.1 and ::1, whichever localhost resolves to in the browser.
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.ListenLocalhost(port));
            var app = builder.Build();
            var server = new PageServer(app, port);
            app.MapGet("/", () => Results.Content(server.Page(), "text/html"));
            app.MapGet("/report", (string result) =>
            {
                server._report.TrySetResult(result);
                return Results.NoContent();
            });
            await app.StartAsync();
            return server;
        }

        /// <summary>Opens the page as http://<paramref name="host"/>:port/ in the browser and returns its report.</summary>
        public async Task<string> VisitAsync(string host, SwitchboardServer node)
        {
            _nodePort = node.BaseUri.Port;
            _report = NewReport();
            var browserOutput = await HeadlessBrowser.OpenAsync(new Uri($"{Origin(host)}/"), _report.Task);
            Assert.True(_report.Task.IsCompleted, $"the page reported nothing; the browser printed:\n{browserOutput}");
            return await _report.Task;
        }

        private static TaskCompletionSource<string> NewReport() => new(TaskCreationOptions.RunContinuationsAsynchronously);

        // Reports once: "open message <the first frame>" or the events before the close and its code.
        private string Page() => $$"""
            <!doctype html>
            <html><body><script>
            let reported = false;
            const events = [];
            function report(result) {
              if (reported) return;
              reported = true;
              fetch('/report?result=' + encodeURIComponent(result));
            }
            const socket = new WebSocket('ws://127.0.0.1:{{_nodePort}}/ws?user_id=browser');
            socket.onopen = () => events.push('open');
            socket.onmessage = e => { report(events.concat('message ' + e.data).join(' ')); socket.close(); };
            socket.onerror = () => events.push('error');
            socket.onclose = e => report(events.concat('close ' + e.code).join(' '));
            </script></body></html>
            """;

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}

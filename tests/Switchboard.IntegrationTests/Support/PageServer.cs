using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Switchboard.IntegrationTests.Support;

/// <summary>
/// Serves one web page on loopback, at a port of its own (so another origin than any node's), to a real headless
/// browser, and takes the page's one report: the page ends with <c>fetch('/report?result=' + encodeURIComponent(...))</c>.
/// Reached as http://127.0.0.1:port or http://localhost:port, two origins to a browser.
/// </summary>
public sealed class PageServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly int _port;
    private string _page = "";
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
        app.MapGet("/", () => Results.Content(server._page, "text/html"));
        app.MapGet("/report", (string result) =>
        {
            server._report.TrySetResult(result);
            return Results.NoContent();
        });
        await app.StartAsync();
        return server;
    }

    /// <summary>Opens <paramref name="page"/> as http://<paramref name="host"/>:port/ in the browser and returns its report.</summary>
    public async Task<string> VisitAsync(string host, string page)
    {
        _page = page;
        _report = NewReport();
        var browserOutput = await HeadlessBrowser.OpenAsync(new Uri($"{Origin(host)}/"), _report.Task);
        Assert.True(_report.Task.IsCompleted, $"the page reported nothing; the browser printed:\n{browserOutput}");
        return await _report.Task;
    }

    private static TaskCompletionSource<string> NewReport() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

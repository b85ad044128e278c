using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Switchboard.Contracts;

namespace Switchboard.Cli.Tests.Support;

/// <summary>One request as the node received it; <see cref="Target"/> is its path and query as sent, still escaped.</summary>
public sealed record ReceivedRequest(string Method, string Path, string Query, string Target, string? Authorization, string? ContentType,
    string? Accept, string Body)
{
    public JsonElement Json() => JsonDocument.Parse(Body).RootElement.Clone();
}

/// <summary>
/// A real HTTP server (Kestrel) on a loopback port that answers what a test tells it to, route by route, and records
/// every request it got. It stands where a node would, so that sbctl's own HTTP code runs for real; a route it was not
/// told about answers 404 with an error body, as a node does.
/// </summary>
public sealed class LoopbackNode : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Dictionary<string, Func<HttpContext, Task>> _answers = new(StringComparer.Ordinal);
    private readonly List<ReceivedRequest> _requests = [];

    private LoopbackNode(WebApplication app) => _app = app;

    public Uri Url { get; private set; } = null!;

    public IReadOnlyList<ReceivedRequest> Requests
    {
        get
        {
            lock (_requests)
                return [.. _requests];
        }
    }

    public static async Task<LoopbackNode> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var node = new LoopbackNode(app);
        app.Run(node.ServeAsync);
        await app.StartAsync();
        node.Url = new Uri(app.Urls.First());
        return node;
    }

    /// <summary>Answers <paramref name="method"/> on <paramref name="path"/> (the whole path, prefix included) with <paramref name="answer"/>.</summary>
    public void On(string method, string path, Func<HttpContext, Task> answer)
    {
        lock (_answers)
            _answers[$"{method} {path}"] = answer;
    }

    /// <summary>Answers with <paramref name="body"/> as the admin API's JSON, with <paramref name="status"/>.</summary>
    public void Answer<T>(string method, string path, T body, int status = StatusCodes.Status200OK) =>
        On(method, path, context => WriteJsonAsync(context, body, status));

    /// <summary>Refuses as a node does: <c>{"error","message"}</c> with <paramref name="status"/>.</summary>
    public void Refuse(string method, string path, int status, string error, string message) =>
        Answer(method, path, new ErrorBody(error, message), status);

    public static async Task WriteJsonAsync<T>(HttpContext context, T body, int status = StatusCodes.Status200OK)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(body, AdminJson.Options));
    }

    /// <summary>Server-sent events: each of <paramref name="data"/> as one event's data, then the end of the stream.</summary>
    public static async Task WriteEventsAsync(HttpContext context, params string[] data)
    {
        context.Response.ContentType = "text/event-stream";
        foreach (var item in data)
        {
            await context.Response.WriteAsync($"data: {item}\n\n");
            await context.Response.Body.FlushAsync();
        }
    }

    private async Task ServeAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var request = new ReceivedRequest(context.Request.Method, context.Request.Path.Value ?? "", context.Request.QueryString.Value ?? "",
            context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget,
            context.Request.Headers.Authorization.FirstOrDefault(), context.Request.ContentType, context.Request.Headers.Accept.FirstOrDefault(),
            await reader.ReadToEndAsync());
        lock (_requests)
            _requests.Add(request);
        Func<HttpContext, Task>? answer;
        lock (_answers)
            _answers.TryGetValue($"{request.Method} {request.Path}", out answer);
        try
        {
            await (answer ?? (c => WriteJsonAsync(c, new ErrorBody("not_found", $"no answer for {request.Method} {request.Path}"), 404)))(context);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // sbctl gave up on the request (a test cancelled it): nothing left to answer
        }
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}

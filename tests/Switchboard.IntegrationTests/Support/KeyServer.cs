using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Switchboard.IntegrationTests.Support;

/// <summary>
/// An identity provider's key endpoint (a JWKS) on loopback, whose document a test can swap and whose answers it can
/// hold back (<see cref="Hold"/>, until <see cref="Answer"/>), as a slow or hung key server would. It counts the
/// requests it got and the most it was answering at once.
/// </summary>
public sealed class KeyServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private volatile TaskCompletionSource _answering = Answering();
    private int _requests;
    private int _inFlight;
    private int _mostInFlight;

    private KeyServer(WebApplication app, string document)
    {
        _app = app;
        Document = document;
        _answering.SetResult();
    }

    public volatile string Document;
    public Uri Url { get; private set; } = null!;
    public int Requests => Volatile.Read(ref _requests);
    public int InFlight => Volatile.Read(ref _inFlight);
    public int MostInFlight => Volatile.Read(ref _mostInFlight);

    /// <summary>From now on requests wait, unanswered, until <see cref="Answer"/> (or their caller gives up).</summary>
    public void Hold() => _answering = Answering();

    /// <summary>Answers the requests held and every one after.</summary>
    public void Answer() => _answering.TrySetResult();

    public static async Task<KeyServer> StartAsync(string document)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new KeyServer(app, document);
        app.MapGet("/.well-known/jwks.json", server.ServeAsync);
        await app.StartAsync();
        server.Url = new Uri(new Uri(app.Urls.First()), "/.well-known/jwks.json");
        return server;
    }

    private async Task ServeAsync(HttpContext context)
    {
        Interlocked.Increment(ref _requests);
        var inFlight = Interlocked.Increment(ref _inFlight);
        for (var most = MostInFlight; inFlight > most; most = MostInFlight)
            Interlocked.CompareExchange(ref _mostInFlight, inFlight, most);
        try
        {
            await _answering.Task.WaitAsync(context.RequestAborted);
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(Document);
        }
        catch (OperationCanceledException)
        {
            // the node gave up on this fetch
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private static TaskCompletionSource Answering() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async ValueTask DisposeAsync()
    {
        Answer();
        await _app.DisposeAsync();
    }
}

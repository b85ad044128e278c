using System.Collections.Concurrent;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Switchboard.Client.Tests.Support;

/// <summary>
/// A stand-in server for what the service never sends (frames posing as its own, answers of the wrong type): Kestrel
/// with WebSockets on a free loopback port, in the test's own process. It sends <c>greeting</c> to each connection and
/// hands each frame it reads to <c>answer</c>, one at a time.
/// </summary>
public sealed class StandIn : IAsyncDisposable
{
    private const string Subprotocol = "switchboard.v1";

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<WebSocket, byte> _sockets = new();

    private StandIn(WebApplication app) => _app = app;

    /// <summary>The stand-in's WebSocket endpoint.</summary>
    public Uri Url { get; private set; } = null!;

    public static async Task<StandIn> StartAsync(IEnumerable<JsonNode> greeting, Func<StandInSocket, JsonElement, Task> answer)
    {
        var frames = greeting.Select(f => f.ToJsonString()).ToArray();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var standIn = new StandIn(app);
        app.UseWebSockets();
        app.Map("/ws", async context =>
        {
            if (!context.WebSockets.IsWebSocketRequest)
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                return;
            }
            var subprotocol = context.WebSockets.WebSocketRequestedProtocols.Contains(Subprotocol) ? Subprotocol : null;
            using var socket = await context.WebSockets.AcceptWebSocketAsync(subprotocol);
            standIn._sockets[socket] = 0;
            try
            {
                await ServeAsync(new StandInSocket(socket), frames, answer);
            }
            finally
            {
                standIn._sockets.TryRemove(socket, out _);
            }
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        standIn.Url = new Uri($"{address.Replace("http://", "ws://")}/ws");
        return standIn;
    }

    private static async Task ServeAsync(StandInSocket socket, string[] greeting, Func<StandInSocket, JsonElement, Task> answer)
    {
        try
        {
            foreach (var frame in greeting) await socket.SendAsync(frame);
            var buffer = new byte[64 * 1024];
            var message = new MemoryStream();
            while (socket.Socket.State == WebSocketState.Open)
            {
                var read = await socket.Socket.ReceiveAsync(buffer, CancellationToken.None);
                if (read.MessageType == WebSocketMessageType.Close)
                {
                    await socket.Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                    return;
                }
                message.Write(buffer, 0, read.Count);
                if (!read.EndOfMessage) continue;
                using var frame = JsonDocument.Parse(message.ToArray());
                message.SetLength(0);
                await answer(socket, frame.RootElement.Clone());
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // the client went, or the test terminated the connection
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var socket in _sockets.Keys) socket.Abort();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>One connection to a <see cref="StandIn"/>.</summary>
public sealed class StandInSocket(WebSocket socket)
{
    public WebSocket Socket { get; } = socket;

    public Task SendAsync(JsonNode frame) => SendAsync(frame.ToJsonString());

    public Task SendAsync(string frame) =>
        Socket.SendAsync(Encoding.UTF8.GetBytes(frame), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);

    /// <summary>Drops the connection without a close handshake.</summary>
    public void Terminate() => Socket.Abort();
}

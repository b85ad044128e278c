using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Switchboard.IntegrationTests.Support;

/// <summary>A real System.Net.WebSockets client reading the protocol's JSON frames.</summary>
public sealed class Client : IAsyncDisposable
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(20);
    private readonly byte[] _buffer = new byte[1 << 20];

    private Client(ClientWebSocket socket, JsonElement welcome)
    {
        Socket = socket;
        Welcome = welcome;
    }

    public ClientWebSocket Socket { get; }
    public JsonElement Welcome { get; }
    public string UserId => Welcome.GetProperty("data").GetProperty("user_id").GetString()!;
    public string ConnectionId => Welcome.GetProperty("data").GetProperty("connection_id").GetString()!;

    public static async Task<Client> ConnectAsync(Uri uri, Action<ClientWebSocketOptions>? configure = null)
    {
        var socket = new ClientWebSocket();
        configure?.Invoke(socket.Options);
        using var guard = new CancellationTokenSource(HangGuard);
        await socket.ConnectAsync(uri, guard.Token);
        var client = new Client(socket, default);
        var welcome = await client.ReceiveAsync();
        Assert.Equal("welcome", welcome.GetProperty("type").GetString());
        return new Client(socket, welcome);
    }

    public Task SendAsync(string json) =>
        Socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, CancellationToken.None);

    public async Task<JsonElement> ReceiveAsync()
    {
        var text = await ReceiveTextAsync() ?? throw new WebSocketException("closed: " + Socket.CloseStatus);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>The next text message, or null when the server closed the connection.</summary>
    public async Task<string?> ReceiveTextAsync()
    {
        using var guard = new CancellationTokenSource(HangGuard);
        var length = 0;
        while (true)
        {
            var result = await Socket.ReceiveAsync(_buffer.AsMemory(length), guard.Token);
            if (result.MessageType == WebSocketMessageType.Close)
                return null;
            length += result.Count;
            if (result.EndOfMessage)
                return Encoding.UTF8.GetString(_buffer, 0, length);
        }
    }

    /// <summary>Reads until the server's close frame and returns its status.</summary>
    public async Task<WebSocketCloseStatus?> ReceiveCloseAsync()
    {
        try
        {
            while (await ReceiveTextAsync() is not null)
            {
            }
        }
        catch (WebSocketException)
        {
            return null;
        }
        return Socket.CloseStatus;
    }

    public async ValueTask DisposeAsync()
    {
        if (Socket.State == WebSocketState.Open)
        {
            using var guard = new CancellationTokenSource(HangGuard);
            try
            {
                await Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", guard.Token);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException)
            {
            }
        }
        Socket.Dispose();
    }
}

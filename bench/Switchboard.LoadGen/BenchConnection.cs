using System.Buffers.Text;
using System.Net.WebSockets;

namespace Switchboard.LoadGen;

/// <summary>One client connection: sends frames one at a time and counts every benchmark message it receives.</summary>
public sealed class BenchConnection(ClientWebSocket socket, string user, Deliveries deliveries) : IAsyncDisposable
{
    private static readonly byte[] TimestampField = "\"t\":"u8.ToArray();
    private readonly SemaphoreSlim _sending = new(1, 1);

    public string User { get; } = user;
    public WebSocketState State => socket.State;

    /// <summary>False when a previous send is still in flight: the caller counts it as not sent.</summary>
    public bool TrySend(byte[] frame)
    {
        if (!_sending.Wait(0))
            return false;
        _ = SendHeldAsync(frame);
        return true;
    }

    public async Task SendAsync(byte[] frame)
    {
        await _sending.WaitAsync();
        await SendHeldAsync(frame);
    }

    private async Task SendHeldAsync(byte[] frame)
    {
        try
        {
            await socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
        finally
        {
            _sending.Release();
        }
    }

    /// <summary>Reads until the connection closes; each <c>"t":N</c> in a message is one delivery.</summary>
    public async Task ReceiveAsync()
    {
        var buffer = new byte[2048];
        var filled = 0;
        try
        {
            while (true)
            {
                if (filled == buffer.Length)
                    Array.Resize(ref buffer, buffer.Length * 2);
                var result = await socket.ReceiveAsync(buffer.AsMemory(filled), CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                    return;
                filled += result.Count;
                if (!result.EndOfMessage)
                    continue;
                Count(buffer.AsSpan(0, filled));
                filled = 0;
            }
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
    }

    private void Count(ReadOnlySpan<byte> message)
    {
        int at;
        while ((at = message.IndexOf(TimestampField)) >= 0)
        {
            message = message[(at + TimestampField.Length)..];
            if (Utf8Parser.TryParse(message, out long sentAt, out var consumed))
            {
                deliveries.Record(sentAt);
                message = message[consumed..];
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        socket.Abort();
        socket.Dispose();
        await Task.CompletedTask;
    }
}

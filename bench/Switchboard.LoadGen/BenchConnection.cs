using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;

namespace Switchboard.LoadGen;

/// <summary>
/// One client connection: sends frames one at a time, counts every benchmark message it receives, and hands a frame
/// that names the <c>id</c> of a request made with <see cref="RequestAsync"/> to that request.
/// </summary>
public sealed class BenchConnection(ClientWebSocket socket, string user, Deliveries deliveries) : IAsyncDisposable
{
    private static readonly byte[] TimestampField = "\"t\":"u8.ToArray();
    private static readonly byte[] IdField = "\"id\":\""u8.ToArray();
    private static readonly byte[] PresencePrefix = "{\"type\":\"presence"u8.ToArray();
    private readonly SemaphoreSlim _sending = new(1, 1);
    // Made by the first request: the other scenarios' connections read their frames without looking for ids.
    private ConcurrentDictionary<string, TaskCompletionSource<Reply>>? _pending;
    private int _nextId;

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

    /// <summary>
    /// Sends the frame <paramref name="frame"/> makes for a fresh id and waits for the server's frame with that id (an
    /// <c>ack</c>, an <c>error</c> or an answer); the reply's time is taken when it was read. Throws
    /// <see cref="TimeoutException"/> when none comes within <paramref name="timeout"/>.
    /// </summary>
    public async Task<Reply> RequestAsync(Func<string, byte[]> frame, TimeSpan timeout)
    {
        var id = $"r{Interlocked.Increment(ref _nextId)}";
        var reply = new TaskCompletionSource<Reply>(TaskCreationOptions.RunContinuationsAsynchronously);
        var pending = LazyInitializer.EnsureInitialized(ref _pending);
        pending[id] = reply;
        try
        {
            await SendAsync(frame(id));
            return await reply.Task.WaitAsync(timeout);
        }
        finally
        {
            pending.TryRemove(id, out _);
        }
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
                var message = buffer.AsSpan(0, filled);
                Count(message);
                if (message.StartsWith(PresencePrefix))
                    deliveries.RecordPresence(message);
                if (Volatile.Read(ref _pending) is { } pending)
                    Answer(pending, message);
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

    private static void Answer(ConcurrentDictionary<string, TaskCompletionSource<Reply>> pending, ReadOnlySpan<byte> message)
    {
        var at = message.IndexOf(IdField);
        if (at < 0)
            return;
        var rest = message[(at + IdField.Length)..];
        var end = rest.IndexOf((byte)'"');
        if (end > 0 && pending.TryRemove(Encoding.UTF8.GetString(rest[..end]), out var reply))
            reply.TrySetResult(new Reply(message.ToArray(), Stopwatch.GetTimestamp()));
    }

    public async ValueTask DisposeAsync()
    {
        socket.Abort();
        socket.Dispose();
        await Task.CompletedTask;
    }
}

/// <summary>The server's frame that answered a request, and when it was read (Stopwatch ticks).</summary>
public sealed record Reply(byte[] Frame, long ReceivedAt)
{
    private static readonly byte[] ErrorPrefix = "{\"type\":\"error\""u8.ToArray();

    public bool IsError => Frame.AsSpan().StartsWith(ErrorPrefix);

    public override string ToString() => Encoding.UTF8.GetString(Frame);
}

using System.Buffers;
using System.Net.WebSockets;
using System.Threading.Channels;

namespace Switchboard.Client;

/// <summary>
/// One WebSocket of the client: a write loop (one send at a time, in the order frames were queued), a watchdog (no
/// welcome in time, or nothing received after a ping: the server is given up without waiting for TCP), and the read
/// loop that hands each frame to the client in order.
/// </summary>
internal sealed class Connection(ClientWebSocket socket, ConnectTarget target, SwitchboardClientOptions options, long welcomeBy)
{
    /// <summary>How long the client waits for the server to answer its close before it lets the socket go.</summary>
    private const long CloseWaitMs = 5000;
    private static readonly byte[] CloseMarker = [];
    private readonly Channel<byte[]> _writes = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });
    private long _lastReceived = Environment.TickCount64;
    private volatile bool _welcomed;
    private volatile bool _waitingForApplication;
    private string? _abandonedBecause;
    private long _closeBy = long.MaxValue;

    public ConnectTarget Target { get; } = target;

    public bool Welcomed
    {
        get => _welcomed;
        set => _welcomed = value;
    }

    /// <summary>Queues a frame; frames queued after the connection ended are dropped (the outbox writes them again).</summary>
    public void Write(byte[] frame) => _writes.Writer.TryWrite(frame);

    /// <summary>Anything arrived: the server is alive.</summary>
    public void Received() => Volatile.Write(ref _lastReceived, Environment.TickCount64);

    /// <summary>The read loop waits for the application to take messages: the server's silence is not its death.</summary>
    public bool WaitingForApplication
    {
        set
        {
            _waitingForApplication = value;
            Received();
        }
    }

    /// <summary>Ends the connection with a close handshake (1000): what was queued before goes out first.</summary>
    public void Close()
    {
        Volatile.Write(ref _closeBy, Environment.TickCount64 + CloseWaitMs);
        _writes.Writer.TryWrite(CloseMarker);
        _writes.Writer.TryComplete();
    }

    /// <summary>Gives up on a connection that does not answer, without waiting for its close handshake.</summary>
    public void Abandon(string why)
    {
        Interlocked.CompareExchange(ref _abandonedBecause, why, null);
        socket.Abort();
    }

    public async Task WriteLoopAsync()
    {
        try
        {
            await foreach (var frame in _writes.Reader.ReadAllAsync().ConfigureAwait(false))
            {
                if (ReferenceEquals(frame, CloseMarker))
                {
                    using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "client closed", deadline.Token).ConfigureAwait(false);
                    return;
                }
                await socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            Abandon($"a write failed: {e.Message}");
        }
    }

    /// <summary>
    /// The connect deadline until the welcome; then the heartbeat: a ping after idle time, and a pong timeout; and, once
    /// the client closes, the wait for the server's answer.
    /// </summary>
    public async Task WatchAsync(CancellationToken ended)
    {
        var interval = (long)options.PingInterval.TotalMilliseconds;
        var timeout = (long)options.PongTimeout.TotalMilliseconds;
        long? pingedAt = null;
        try
        {
            while (true)
            {
                var now = Environment.TickCount64;
                long wait;
                if (now >= Volatile.Read(ref _closeBy))
                {
                    Abandon("the server did not answer the close");
                    return;
                }
                if (!_welcomed)
                {
                    if (now >= welcomeBy)
                    {
                        Abandon($"no welcome within {options.ConnectTimeout.TotalMilliseconds:0} ms");
                        return;
                    }
                    wait = welcomeBy - now;
                }
                else
                {
                    var last = _waitingForApplication ? now : Volatile.Read(ref _lastReceived);
                    if (pingedAt is { } sent && last > sent) pingedAt = null;
                    if (pingedAt is { } waiting)
                    {
                        if (now - waiting >= timeout)
                        {
                            Abandon($"no answer to a ping within {timeout} ms");
                            return;
                        }
                        wait = waiting + timeout - now;
                    }
                    else if (now - last >= interval)
                    {
                        pingedAt = now;
                        Write(FrameWriter.Ping);
                        wait = timeout;
                    }
                    else
                    {
                        wait = last + interval - now;
                    }
                }
                // At least once a second, so that a close asked for meanwhile is watched too.
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Clamp(wait, 1, 1000)), ended).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // the connection ended
        }
    }

    /// <summary>
    /// Reads frames until the connection ends and hands each to <paramref name="handle"/>, in order; returns the close
    /// code and reason (1006 and why, when it ended without a close frame).
    /// </summary>
    public async Task<(int Code, string Reason)> ReadLoopAsync(Func<ReadOnlyMemory<byte>, ValueTask> handle)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            while (true)
            {
                var length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    if (length == buffer.Length)
                    {
                        if (buffer.Length >= options.MaxFrameSize)
                        {
                            await CloseQuietlyAsync(WebSocketCloseStatus.MessageTooBig, "frame too large").ConfigureAwait(false);
                            return (1006, $"the server sent a frame larger than {options.MaxFrameSize} bytes");
                        }
                        var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, options.MaxFrameSize));
                        buffer.AsSpan(0, length).CopyTo(larger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                    }
                    result = await socket.ReceiveAsync(buffer.AsMemory(length), CancellationToken.None).ConfigureAwait(false);
                    length += result.Count;
                } while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    var code = (int?)socket.CloseStatus ?? 1005;
                    var reason = socket.CloseStatusDescription ?? "";
                    await CloseQuietlyAsync(WebSocketCloseStatus.NormalClosure, "").ConfigureAwait(false);
                    return (code, reason);
                }
                Received();
                await handle(buffer.AsMemory(0, length)).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            return (1006, _abandonedBecause ?? e.Message);
        }
        finally
        {
            _writes.Writer.TryComplete();
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Answers the server's close (or closes first), without waiting long for a server that may be gone.</summary>
    private async Task CloseQuietlyAsync(WebSocketCloseStatus status, string reason)
    {
        try
        {
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await socket.CloseOutputAsync(status, reason, deadline.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            // the socket is gone already
        }
    }
}

using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;

namespace Switchboard.LoadGen;

/// <summary>
/// Opens connections with bounded concurrency, binding each socket to the next source address
/// of 127.0.0.x so that one address's ephemeral ports never run out.
/// </summary>
public sealed class Connector
{
    private readonly LoadOptions _options;
    private readonly HubDialect _dialect;
    private readonly Deliveries _deliveries;
    private readonly HttpMessageInvoker _invoker;
    private int _nextSource;

    public Connector(LoadOptions options, HubDialect dialect, Deliveries deliveries)
    {
        _options = options;
        _dialect = dialect;
        _deliveries = deliveries;
        _invoker = new HttpMessageInvoker(new SocketsHttpHandler { ConnectCallback = ConnectFromNextSourceAsync });
    }

    private async ValueTask<Stream> ConnectFromNextSourceAsync(SocketsHttpConnectionContext context, CancellationToken cancellation)
    {
        var sources = _options.SourceAddresses;
        var source = sources[(int)((uint)Interlocked.Increment(ref _nextSource) % (uint)sources.Count)];
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.Bind(new IPEndPoint(source, 0));
            await socket.ConnectAsync(context.DnsEndPoint, cancellation);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public sealed record Outcome(List<BenchConnection> Connections, int Failures, TimeSpan Elapsed, List<string> Errors);

    /// <summary>Connects <paramref name="users"/> (one connection each), node by node round-robin.</summary>
    public async Task<Outcome> ConnectAsync(IReadOnlyList<string> users)
    {
        var connections = new BenchConnection?[users.Count];
        var errors = new List<string>();
        var failures = 0;
        var next = -1;
        var started = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Math.Min(_options.Concurrency, users.Count)).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < users.Count)
            {
                try
                {
                    connections[i] = await ConnectOneAsync(_options.Targets[i % _options.Targets.Count], users[i]);
                }
                catch (Exception e) when (e is WebSocketException or HttpRequestException or OperationCanceledException or IOException)
                {
                    Interlocked.Increment(ref failures);
                    lock (errors)
                        if (errors.Count < 5)
                            errors.Add(e.GetBaseException().Message);
                }
            }
        }));
        return new Outcome(connections.OfType<BenchConnection>().ToList(), failures, started.Elapsed, errors);
    }

    private async Task<BenchConnection> ConnectOneAsync(Uri node, string user)
    {
        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await socket.ConnectAsync(_dialect.ConnectUri(node, user), _invoker, timeout.Token);
            if (_dialect.Handshake is { } handshake)
                await socket.SendAsync(handshake, WebSocketMessageType.Text, true, timeout.Token);
            // The first server frame (welcome, or SignalR's handshake answer) says the connection is ready.
            var first = new byte[1024];
            var result = await socket.ReceiveAsync(first, timeout.Token);
            if (result.MessageType == WebSocketMessageType.Close)
                throw new WebSocketException($"closed at once: {socket.CloseStatus} {socket.CloseStatusDescription}");
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        var connection = new BenchConnection(socket, user, _deliveries);
        _ = connection.ReceiveAsync();
        return connection;
    }
}

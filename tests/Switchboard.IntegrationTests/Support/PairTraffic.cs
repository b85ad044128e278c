using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Switchboard.IntegrationTests.Support;

/// <summary>
/// Pairs of clients, one of each pair on each of two nodes, sending each other a numbered message every 20 ms
/// until stopped, and recording when each was sent and received.
/// </summary>
public sealed class PairTraffic : IAsyncDisposable
{
    /// <summary>How long after a node is downed the survivors may take to move its shards and recover their entries.</summary>
    public static readonly TimeSpan Settling = TimeSpan.FromSeconds(10);

    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly CancellationTokenSource _stopSending = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TrafficClient> _clients = [];
    private readonly ConcurrentDictionary<(string From, int N), TimeSpan> _sent = new();
    private readonly ConcurrentDictionary<(string From, int N), int> _received = new();
    private readonly ConcurrentDictionary<(string From, int N), TimeSpan> _arrivedAt = new();
    private readonly List<Task> _loops = [];

    public TimeSpan Elapsed => _clock.Elapsed;

    public static async Task<PairTraffic> StartAsync(ServiceProcess a, ServiceProcess b, int pairs)
    {
        var traffic = new PairTraffic();
        for (var i = 0; i < pairs; i++)
        {
            var (left, right) = ($"pair{i}-a-{Guid.NewGuid():N}"[..16], $"pair{i}-b-{Guid.NewGuid():N}"[..16]);
            traffic._clients.Add(await TrafficClient.ConnectAsync(a, left, right));
            traffic._clients.Add(await TrafficClient.ConnectAsync(b, right, left));
        }
        using var http = new HttpClient();
        foreach (var client in traffic._clients)
        {
            var via = client.Node == a ? b : a;
            await Eventually.TrueAsync(async () => (await http.GetAsync(new Uri(via.BaseUri, $"/ws/users/{client.User}"))).IsSuccessStatusCode,
                $"{client.User} is registered");
        }
        foreach (var client in traffic._clients)
        {
            traffic._loops.Add(Task.Run(() => traffic.SendLoopAsync(client)));
            traffic._loops.Add(Task.Run(() => traffic.ReceiveLoopAsync(client)));
        }
        return traffic;
    }

    /// <summary>Messages received at or after <paramref name="since"/>.</summary>
    public int ReceivedSince(TimeSpan since) => _arrivedAt.Values.Count(t => t >= since);

    /// <summary>The longest a message took from being sent to its first arrival.</summary>
    public TimeSpan LongestDelay =>
        _arrivedAt.Select(a => a.Value - _sent.GetValueOrDefault(a.Key, a.Value)).DefaultIfEmpty(TimeSpan.Zero).Max();

    /// <summary>Keeps sending until <paramref name="runUntil"/> (since the start), stops, lets the last messages land; the number sent.</summary>
    public async Task<int> StopAsync(TimeSpan? runUntil = null)
    {
        var until = runUntil ?? TimeSpan.Zero;
        while (_clock.Elapsed < until)
            await Task.Delay(100);
        await _stopSending.CancelAsync();
        await Task.Delay(TimeSpan.FromSeconds(3)); // the last messages land, and are still read
        return _sent.Count;
    }

    /// <summary>Of the messages sent at or after <paramref name="sentAfter"/>, how many never arrived; and how many arrived twice or more.</summary>
    public (int Lost, int Duplicates) Check(TimeSpan sentAfter) =>
        (_sent.Count(s => s.Value >= sentAfter && !_received.ContainsKey(s.Key)), _received.Count(r => r.Value > 1));

    /// <summary>When the last message that never arrived was sent, if any was lost.</summary>
    public TimeSpan? LastLoss =>
        _sent.Where(s => !_received.ContainsKey(s.Key)).Select(s => (TimeSpan?)s.Value).DefaultIfEmpty(null).Max();

    private async Task SendLoopAsync(TrafficClient client)
    {
        for (var n = 0; !_stopSending.IsCancellationRequested; n++)
        {
            _sent[(client.User, n)] = _clock.Elapsed;
            try
            {
                // Not cancelled by the stop: cancelling a ClientWebSocket's send aborts the whole socket, and its
                // receive loop would then miss the partner's last messages, which would count as lost.
                await client.Socket.SendAsync(Encoding.UTF8.GetBytes($$"""{"type":"chat","to":"{{client.Partner}}","data":{{n}}}"""),
                    WebSocketMessageType.Text, true, CancellationToken.None);
            }
            catch (WebSocketException)
            {
                _sent.TryRemove((client.User, n), out _);
                return;
            }
            await Task.Delay(20);
        }
    }

    private async Task ReceiveLoopAsync(TrafficClient client)
    {
        var buffer = new byte[4096];
        while (true)
        {
            WebSocketReceiveResult result;
            try
            {
                result = await client.Socket.ReceiveAsync(buffer, _stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or WebSocketException)
            {
                return;
            }
            if (result.MessageType == WebSocketMessageType.Close)
                return;
            using var message = JsonDocument.Parse(buffer.AsMemory(0, result.Count));
            var root = message.RootElement;
            if (root.GetProperty("type").GetString() != "chat")
                continue;
            _received.AddOrUpdate((root.GetProperty("from").GetString()!, root.GetProperty("data").GetInt32()), 1, (_, c) => c + 1);
            _arrivedAt.TryAdd((root.GetProperty("from").GetString()!, root.GetProperty("data").GetInt32()), _clock.Elapsed);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopSending.CancelAsync();
        await _stop.CancelAsync();
        await Task.WhenAll(_loops);
        foreach (var client in _clients)
            client.Socket.Dispose();
    }

    private sealed record TrafficClient(ServiceProcess Node, string User, string Partner, ClientWebSocket Socket)
    {
        public static async Task<TrafficClient> ConnectAsync(ServiceProcess node, string user, string partner)
        {
            var socket = new ClientWebSocket();
            await socket.ConnectAsync(new Uri($"ws://{node.BaseUri.Authority}/ws?user_id={user}"), CancellationToken.None);
            var welcome = new byte[1024];
            await socket.ReceiveAsync(welcome, CancellationToken.None);
            return new TrafficClient(node, user, partner, socket);
        }
    }
}

using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Switchboard.IntegrationTests.Support;

/// <summary>
/// Clients spread over a cluster, each sending its neighbour (a client on another node) a numbered message every
/// 20 ms, for a rolling restart. A message counts when it was acknowledged and its recipient was reachable when it
/// was sent: connected to a node that stays up, and proven reachable there by a marker. Before a node stops, its
/// clients stop sending and stop counting as reachable; they reconnect to another node and count again once a
/// marker reaches them there.
/// </summary>
public sealed class RollingTraffic : IAsyncDisposable
{
    private readonly List<ServiceProcess> _nodes;
    private readonly List<Peer> _peers = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _senders = [];

    private RollingTraffic(List<ServiceProcess> nodes) => _nodes = nodes;

    public List<string> LostDetails { get; } = [];

    public bool AllConnected => _peers.All(p => p.Socket.State == WebSocketState.Open);

    public static async Task<RollingTraffic> StartAsync(List<ServiceProcess> nodes, int clientsPerNode)
    {
        var traffic = new RollingTraffic(nodes);
        var count = nodes.Count * clientsPerNode;
        var users = Enumerable.Range(0, count).Select(i => $"roll{i}-{Guid.NewGuid():N}"[..14]).ToList();
        for (var i = 0; i < count; i++)
            traffic._peers.Add(new Peer(users[i], users[(i + 1) % count]));
        for (var i = 0; i < count; i++)
            await traffic._peers[i].ConnectAsync(nodes, i % nodes.Count);
        foreach (var peer in traffic._peers)
            await traffic.ProveReachableAsync(peer);
        foreach (var peer in traffic._peers)
            traffic._senders.Add(Task.Run(() => traffic.SendLoopAsync(peer)));
        return traffic;
    }

    /// <summary>
    /// Takes the clients of node <paramref name="index"/> out of the count, lets what was sent to and from them
    /// land, runs <paramref name="stop"/>, and reconnects them to the next node (they count again after <see cref="ResumeAsync"/>).
    /// </summary>
    public async Task MoveClientsOffAsync(int index, Func<Task> stop)
    {
        var moving = _peers.Where(p => p.Node == index).ToList();
        foreach (var peer in moving)
        {
            peer.Reachable = false;
            peer.Sending = false;
        }
        await Task.Delay(TimeSpan.FromSeconds(1));
        await stop();
        foreach (var peer in moving)
        {
            await peer.Closed.Task.WaitAsync(Eventually.Deadline);
            await peer.ConnectAsync(_nodes, (index + 1) % _nodes.Count);
        }
    }

    /// <summary>Every client that is out of the count comes back once a marker reaches it.</summary>
    public async Task ResumeAsync()
    {
        foreach (var peer in _peers.Where(p => !p.Reachable))
            await ProveReachableAsync(peer);
    }

    /// <summary>Stops sending, lets the last messages land; the messages counted, those of them lost, and any delivered twice.</summary>
    public async Task<(int Acked, int Lost, int Duplicates)> StopAsync()
    {
        foreach (var peer in _peers)
            peer.Sending = false;
        await Task.Delay(TimeSpan.FromSeconds(3));
        await _stop.CancelAsync();
        await Task.WhenAll(_senders);
        var counted = _peers.SelectMany(p => p.Counted.Keys.Where(n => p.Acked.ContainsKey(n)).Select(n => (From: p.User, To: p.Partner, N: n))).ToList();
        var byUser = _peers.ToDictionary(p => p.User);
        var lost = counted.Count(m => !byUser[m.To].Received.ContainsKey((m.From, m.N)));
        foreach (var m in counted.Where(m => !byUser[m.To].Received.ContainsKey((m.From, m.N))))
            LostDetails.Add($"{m.From} -> {m.To} #{m.N}: {byUser[m.From].Counted[m.N]}");
        var duplicates = _peers.Sum(p => p.Received.Count(r => r.Value > 1));
        return (counted.Count, lost, duplicates);
    }

    private async Task ProveReachableAsync(Peer peer)
    {
        using var http = new HttpClient { BaseAddress = _nodes[peer.Node].BaseUri };
        peer.Marker = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await Eventually.TrueAsync(async () =>
        {
            await http.PostAsync("/ws/message", new StringContent($$"""{"to":"{{peer.User}}","type":"marker"}""", Encoding.UTF8, "application/json"));
            return await Task.WhenAny(peer.Marker.Task, Task.Delay(200)) == peer.Marker.Task;
        }, $"a marker reaches {peer.User}");
        peer.Reachable = true;
        peer.Sending = true;
    }

    private async Task SendLoopAsync(Peer peer)
    {
        var partner = _peers.Single(p => p.User == peer.Partner);
        for (var n = 0; !_stop.IsCancellationRequested; n++)
        {
            if (peer.Sending && partner.Reachable)
            {
                peer.Counted[n] = $"{DateTime.UtcNow:HH:mm:ss.fff} sender on {peer.Node} partner on {partner.Node}";
                if (!await peer.TrySendAsync($$"""{"type":"chat","to":"{{peer.Partner}}","data":{{n}},"id":{{n}}}"""))
                    peer.Counted.TryRemove(n, out _);
            }
            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_senders);
        foreach (var peer in _peers)
            peer.Socket.Dispose();
    }

    private sealed class Peer(string user, string partner)
    {
        private readonly SemaphoreSlim _sending = new(1, 1);

        public string User { get; } = user;
        public string Partner { get; } = partner;
        public int Node { get; private set; }
        public ClientWebSocket Socket { get; private set; } = new();
        public volatile bool Reachable;
        public volatile bool Sending;
        public TaskCompletionSource Marker { get; set; } = new();
        public TaskCompletionSource Closed { get; private set; } = new();
        public ConcurrentDictionary<int, string> Counted { get; } = new();
        public ConcurrentDictionary<int, bool> Acked { get; } = new();
        public ConcurrentDictionary<(string From, int N), int> Received { get; } = new();

        public async Task ConnectAsync(List<ServiceProcess> nodes, int node)
        {
            await _sending.WaitAsync();
            try
            {
                Socket.Dispose();
                Socket = new ClientWebSocket();
                Node = node;
                Closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                await Socket.ConnectAsync(new Uri($"ws://{nodes[node].BaseUri.Authority}/ws?user_id={User}"), CancellationToken.None);
            }
            finally
            {
                _sending.Release();
            }
            _ = Task.Run(() => ReceiveLoopAsync(Socket, Closed));
        }

        public async Task<bool> TrySendAsync(string json)
        {
            await _sending.WaitAsync();
            try
            {
                await Socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, CancellationToken.None);
                return true;
            }
            catch (Exception e) when (e is WebSocketException or ObjectDisposedException or InvalidOperationException)
            {
                return false;
            }
            finally
            {
                _sending.Release();
            }
        }

        private async Task ReceiveLoopAsync(ClientWebSocket socket, TaskCompletionSource closed)
        {
            var buffer = new byte[4096];
            try
            {
                while (true)
                {
                    var result = await socket.ReceiveAsync(buffer, CancellationToken.None);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
                        break;
                    }
                    using var message = JsonDocument.Parse(buffer.AsMemory(0, result.Count));
                    var root = message.RootElement;
                    switch (root.GetProperty("type").GetString())
                    {
                        case "chat":
                            Received.AddOrUpdate((root.GetProperty("from").GetString()!, root.GetProperty("data").GetInt32()), 1, (_, c) => c + 1);
                            break;
                        case "ack":
                            Acked[root.GetProperty("id").GetInt32()] = true;
                            break;
                        case "marker":
                            Marker.TrySetResult();
                            break;
                    }
                }
            }
            catch (Exception e) when (e is WebSocketException or ObjectDisposedException or OperationCanceledException)
            {
            }
            closed.TrySetResult();
        }
    }
}

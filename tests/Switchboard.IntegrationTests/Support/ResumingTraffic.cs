using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Switchboard.IntegrationTests.Support;

/// <summary>
/// Users on a cluster with history on, in a ring: each sends the next a numbered message, the next one once the last is
/// acknowledged, and sends it again under the same id when its connection ended or the hub refused it first. Whenever a
/// user's connection ends it connects again to whichever node takes it, resuming its stream from the last seq it saw.
/// Each user checks what it gets as it goes: seq one past the last, its sender's numbers in order, every resume
/// recovered, no stream_reset; what breaks that lands in <see cref="Violations"/>.
/// </summary>
public sealed class ResumingTraffic : IAsyncDisposable
{
    private readonly List<Peer> _peers;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];

    private ResumingTraffic(List<Peer> peers) => _peers = peers;

    public ConcurrentQueue<string> Violations { get; } = new();

    /// <summary>Every user: the messages its sender had acknowledged, the messages it received, and how often it resumed.</summary>
    public IEnumerable<(string User, int Acked, int Received, int Resumes)> Tally =>
        _peers.Select(p => (p.User, p.Sender.Acked, p.Received, p.Resumes));

    public static async Task<ResumingTraffic> StartAsync(IReadOnlyList<string> nodes, int usersPerNode)
    {
        var count = nodes.Count * usersPerNode;
        var peers = Enumerable.Range(0, count).Select(i => new Peer($"resume{i}-{Guid.NewGuid():N}"[..16], nodes, i % nodes.Count)).ToList();
        for (var i = 0; i < count; i++)
        {
            peers[i].Partner = peers[(i + 1) % count].User;
            peers[(i + 1) % count].Sender = peers[i];
        }
        var traffic = new ResumingTraffic(peers);
        foreach (var peer in peers)
            traffic._loops.Add(Task.Run(() => peer.StayConnectedAsync(traffic.Violations, traffic._stop.Token)));
        await Eventually.TrueAsync(() => peers.All(p => p.Connected), "every user is connected");
        foreach (var peer in peers)
            traffic._loops.Add(Task.Run(() => peer.SendAsync(traffic._stop.Token)));
        return traffic;
    }

    /// <summary>Waits until every user's messages flow: each has <paramref name="more"/> more acknowledged than now.</summary>
    public Task FlowingAsync(int more)
    {
        var targets = _peers.ToDictionary(p => p, p => p.Acked + more);
        return Eventually.TrueAsync(() => targets.All(t => t.Key.Acked >= t.Value), $"every user has {more} more messages acknowledged");
    }

    /// <summary>Stops sending once each user's message in flight is acknowledged, and waits until every user has all of its sender's.</summary>
    public async Task StopAsync()
    {
        foreach (var peer in _peers)
            peer.Sending = false;
        await Eventually.TrueAsync(() => _peers.All(p => p.Idle), "every message in flight is acknowledged");
        await Eventually.TrueAsync(() => _peers.All(p => p.Received >= p.Sender.Acked), "every user has all its sender's messages");
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (var peer in _peers)
            peer.Abort();
        await Task.WhenAll(_loops);
    }

    private sealed class Peer(string user, IReadOnlyList<string> nodes, int home)
    {
        private volatile ClientWebSocket? _socket;
        private volatile TaskCompletionSource<bool>? _answer;
        private int _pendingId = -1;
        private string? _epoch;
        private long _lastSeq;
        private volatile bool _welcomed;

        public string User { get; } = user;
        public string Partner { get; set; } = "";
        public Peer Sender { get; set; } = null!;
        public volatile bool Sending = true;
        public volatile bool Idle;
        public int Acked;
        public int Received;
        public int Resumes;

        /// <summary>Connected and welcomed: from here on every message to the user comes after its position.</summary>
        public bool Connected => _welcomed && _socket?.State == WebSocketState.Open;

        public void Abort() => _socket?.Abort();

        /// <summary>Connects, reads until the connection ends, and connects again (resuming) to the next node that takes it.</summary>
        public async Task StayConnectedAsync(ConcurrentQueue<string> violations, CancellationToken stop)
        {
            var node = home;
            while (!stop.IsCancellationRequested)
            {
                var socket = new ClientWebSocket();
                var resume = _epoch is null ? "" : $"&resume={_epoch}:{_lastSeq}";
                try
                {
                    await socket.ConnectAsync(new Uri($"{nodes[node]}?user_id={User}{resume}"), stop);
                    _socket = socket;
                    await ReadAsync(socket, violations, stop);
                }
                catch (Exception e) when (e is WebSocketException or OperationCanceledException or JsonException)
                {
                }
                finally
                {
                    _welcomed = false;
                    _socket = null;
                    socket.Dispose();
                    _answer?.TrySetResult(false);
                }
                node = (node + 1) % nodes.Count;
                if (!stop.IsCancellationRequested)
                    await Task.Delay(100, CancellationToken.None);
            }
        }

        /// <summary>Sends message after message to the next user, each until it is acknowledged.</summary>
        public async Task SendAsync(CancellationToken stop)
        {
            var partner = $"\"to\":\"{Partner}\"";
            for (var n = 0; Sending && !stop.IsCancellationRequested;)
            {
                var socket = _socket;
                var answer = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                _answer = answer;
                Volatile.Write(ref _pendingId, n);
                var acked = false;
                try
                {
                    if (socket is not null)
                    {
                        await socket.SendAsync(Encoding.UTF8.GetBytes($$"""{"type":"chat",{{partner}},"id":{{n}},"data":{{n}}}"""),
                            WebSocketMessageType.Text, true, stop);
                        acked = await answer.Task.WaitAsync(TimeSpan.FromSeconds(5), stop);
                    }
                }
                catch (Exception e) when (e is WebSocketException or ObjectDisposedException or InvalidOperationException or TimeoutException)
                {
                }
                catch (OperationCanceledException)
                {
                    break;
                }
                if (acked)
                {
                    Acked = ++n;
                    await Task.Delay(20, CancellationToken.None);
                }
                else
                    await Task.Delay(100, CancellationToken.None);
            }
            Idle = true;
        }

        private async Task ReadAsync(ClientWebSocket socket, ConcurrentQueue<string> violations, CancellationToken stop)
        {
            var buffer = new byte[64 * 1024];
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer, stop);
                if (result.MessageType == WebSocketMessageType.Close)
                    return;
                using var frame = JsonDocument.Parse(buffer.AsMemory(0, result.Count));
                var root = frame.RootElement;
                var data = root.TryGetProperty("data", out var d) ? d : default;
                switch (root.GetProperty("type").GetString())
                {
                    case "welcome":
                        var epoch = data.GetProperty("streams").GetProperty("user").GetProperty("epoch").GetString();
                        if (_epoch is not null && epoch != _epoch)
                            violations.Enqueue($"{User}: welcome with epoch {epoch}, was {_epoch}");
                        _epoch = epoch;
                        _welcomed = true;
                        break;
                    case "chat":
                        var seq = root.GetProperty("seq").GetInt64();
                        var number = data.GetInt32();
                        if (seq != _lastSeq + 1 || number != Received)
                            violations.Enqueue($"{User}: got #{number} with seq {seq}, expected #{Received} with seq {_lastSeq + 1}");
                        _lastSeq = seq;
                        Received = number + 1;
                        break;
                    case "resumed":
                        Resumes++;
                        if (!data.GetProperty("recovered").GetBoolean())
                            violations.Enqueue($"{User}: resume from {_lastSeq} not recovered: {root}");
                        break;
                    case "stream_reset":
                        violations.Enqueue($"{User}: {root}");
                        break;
                    case "ack" or "error" when root.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.Number
                                               && id.GetInt32() == Volatile.Read(ref _pendingId):
                        _answer?.TrySetResult(root.GetProperty("type").GetString() == "ack");
                        break;
                }
            }
        }
    }
}

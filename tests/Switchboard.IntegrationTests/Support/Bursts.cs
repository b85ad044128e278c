using System.Net.Http.Json;
using System.Text.Json;

namespace Switchboard.IntegrationTests.Support;

/// <summary>
/// Numbered direct messages sent as fast as clients can send them, to a receiver that reads continuously:
/// what a chat burst looks like to the hub.
/// </summary>
public static class Bursts
{
    public const int BurstSize = 10_000;

    /// <summary>Sends <c>{"type":"chat","to":to,"data":n}</c> for n from <paramref name="first"/>, <paramref name="count"/> of them.</summary>
    public static async Task SendAsync(Client sender, string to, int first, int count)
    {
        for (var n = first; n < first + count; n++)
            await sender.SendAsync($$"""{"type":"chat","to":"{{to}}","data":{{n}}}""");
    }

    /// <summary>
    /// Ten bursts of <see cref="BurstSize"/> from one sender; each burst must arrive whole and in order before the next.
    /// </summary>
    public static async Task TenBurstsAsync(Uri senderNode, Uri receiverNode)
    {
        await using var bob = await ContinuousReader.ConnectAsync(receiverNode, "bob");
        await using var alice = await Client.ConnectAsync(WebSocketUri(senderNode, "alice"));
        await RegisteredAsync(senderNode, "bob");
        for (var burst = 0; burst < 10; burst++)
        {
            var receiving = bob.ReadAsync(BurstSize);
            await SendAsync(alice, "bob", burst * BurstSize, BurstSize);
            Assert.Equal(Enumerable.Range(burst * BurstSize, BurstSize), (await receiving).Select(m => m.N));
        }
    }

    /// <summary>Twenty senders send 1,000 each at once; every sender's messages arrive, in its order.</summary>
    public static async Task TwentySendersAsync(Uri senderNode, Uri receiverNode)
    {
        const int senders = 20, each = 1_000;
        await using var bob = await ContinuousReader.ConnectAsync(receiverNode, "bob20");
        var clients = await Task.WhenAll(Enumerable.Range(0, senders)
            .Select(i => Client.ConnectAsync(WebSocketUri(senderNode, $"sender-{i}"))));
        await RegisteredAsync(senderNode, "bob20");

        var receiving = bob.ReadAsync(senders * each);
        await Task.WhenAll(clients.Select(c => Task.Run(() => SendAsync(c, "bob20", 0, each))));
        var bySender = (await receiving).GroupBy(m => m.From).ToDictionary(g => g.Key, g => g.Select(m => m.N).ToList());

        Assert.Equal(senders, bySender.Count);
        Assert.All(bySender.Values, numbers => Assert.Equal(Enumerable.Range(0, each), numbers));
        foreach (var client in clients)
            await client.DisposeAsync();
    }

    public static async Task<long> DroppedAsync(Uri node)
    {
        using var http = new HttpClient { BaseAddress = node };
        return (await http.GetFromJsonAsync<JsonElement>("/ws/stats")).GetProperty("dropped").GetInt64();
    }

    private static Uri WebSocketUri(Uri node, string user) => new($"ws://{node.Authority}/ws?user_id={user}");

    /// <summary>Waits until the entities know a user's connection (registration follows the welcome).</summary>
    private static async Task RegisteredAsync(Uri node, string user)
    {
        using var http = new HttpClient { BaseAddress = node };
        await Eventually.TrueAsync(async () => (await http.GetAsync($"/ws/users/{user}")).IsSuccessStatusCode, $"{user} is registered");
    }
}

/// <summary>
/// A receiver that reads on a thread of its own with blocking socket reads, so that it keeps reading
/// however busy the senders keep the thread pool of the same test process.
/// </summary>
public sealed class ContinuousReader : IAsyncDisposable
{
    private readonly RawWebSocket _socket;

    private ContinuousReader(RawWebSocket socket) => _socket = socket;

    public static async Task<ContinuousReader> ConnectAsync(Uri node, string user)
    {
        var socket = await RawWebSocket.ConnectAsync(node, $"/ws?user_id={user}");
        Assert.Equal(101, socket.Status);
        Assert.Contains("welcome", (await socket.ReceiveAsync())!.Text);
        return new ContinuousReader(socket);
    }

    /// <summary>Reads <paramref name="count"/> chat messages; each one's sender and number, in arrival order.</summary>
    public Task<List<(string From, int N)>> ReadAsync(int count)
    {
        var done = new TaskCompletionSource<List<(string, int)>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                done.SetResult(Read(count));
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        }) { IsBackground = true, Name = "continuous reader" };
        thread.Start();
        return done.Task;
    }

    private List<(string, int)> Read(int count)
    {
        var received = new List<(string, int)>(count);
        while (received.Count < count)
        {
            var frame = _socket.Receive() ?? throw new InvalidOperationException($"closed after {received.Count} of {count}");
            if (frame.Opcode != RawWebSocket.Text)
                continue; // a heartbeat ping: the messages that follow it count as the answer
            using var message = JsonDocument.Parse(frame.Payload);
            var root = message.RootElement;
            Assert.Equal("chat", root.GetProperty("type").GetString());
            received.Add((root.GetProperty("from").GetString()!, root.GetProperty("data").GetInt32()));
        }
        return received;
    }

    public ValueTask DisposeAsync() => _socket.DisposeAsync();
}

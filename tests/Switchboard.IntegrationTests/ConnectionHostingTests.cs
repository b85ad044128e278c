using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text.Json;
using Switchboard.IntegrationTests.Support;
using Xunit.Abstractions;

namespace Switchboard.IntegrationTests;

/// <summary>
/// Many connection graphs on one host actor (docs/connections.md, "Hosting"): a client that floods its connection
/// shares the host's turns with the others, it does not take them.
/// </summary>
public sealed class ConnectionHostingTests(ITestOutputHelper output)
{
    private const int Pairs = 5;
    private const int MessagesEach = 100;

    [Fact]
    public async Task A_client_flooding_its_host_does_not_starve_the_connections_beside_it()
    {
        // One host, so that every connection shares it with the flooder.
        await using var server = await SwitchboardServer.StartAsync(
            configuration: new Dictionary<string, string?> { ["WebSocket:ConnectionHosts"] = "1" });
        Assert.Equal(1, server.Hub.Options.ConnectionHosts);

        var flooder = await Client.ConnectAsync(server.WebSocketUri("user_id=flooder"));
        var pairs = new List<(Client A, Client B)>();
        for (var i = 0; i < Pairs; i++)
        {
            pairs.Add((await Client.ConnectAsync(server.WebSocketUri($"user_id=pair{i}-a")),
                await Client.ConnectAsync(server.WebSocketUri($"user_id=pair{i}-b"))));
        }

        using var stopFlood = new CancellationTokenSource();
        var flooded = 0L;
        // Pings are answered by the flooder's own graph: the whole flood is work for the host, none for routing.
        var flood = Task.Run(async () =>
        {
            while (!stopFlood.IsCancellationRequested)
            {
                await flooder.SendAsync("""{"type":"ping"}""");
                flooded++;
            }
        });
        // It reads its pongs until closed (it may fall behind and be closed as a slow consumer: that is allowed).
        var draining = Task.Run(async () =>
        {
            try
            {
                while (await flooder.ReceiveTextAsync() is not null)
                {
                }
            }
            catch (WebSocketException)
            {
            }
        });

        var clock = Stopwatch.StartNew();
        var latencies = new ConcurrentBag<double>();
        var exchanges = pairs.SelectMany(p => new[] { (From: p.A, To: p.B), (From: p.B, To: p.A) }).Select(async side =>
        {
            var receiving = ReceiveInOrderAsync(side.To, side.From.UserId, clock, latencies);
            for (var n = 0; n < MessagesEach; n++)
            {
                await side.From.SendAsync($$$"""{"type":"chat","to":"{{{side.To.UserId}}}","data":{"n":{{{n}}},"t":{{{clock.Elapsed.TotalMilliseconds}}}}}""");
                await Task.Delay(10);
            }
            return await receiving;
        }).ToList();

        var received = await Task.WhenAll(exchanges);
        await stopFlood.CancelAsync();
        await flood;

        Assert.All(received, r => Assert.Equal(Enumerable.Range(0, MessagesEach), r));
        var sorted = latencies.Order().ToList();
        output.WriteLine($"{Pairs * 2 * MessagesEach} messages beside a flood of {flooded} frames on one host: " +
                         $"p50 {sorted[sorted.Count / 2]:F1} ms, p99 {sorted[(int)(sorted.Count * 0.99)]:F1} ms, max {sorted[^1]:F1} ms");
        foreach (var (a, b) in pairs)
        {
            await a.DisposeAsync();
            await b.DisposeAsync();
        }
        await flooder.DisposeAsync();
        await draining;
    }

    // The numbers one sender's messages arrived with, in arrival order; each message's latency is recorded.
    private static async Task<List<int>> ReceiveInOrderAsync(Client to, string from, Stopwatch clock, ConcurrentBag<double> latencies)
    {
        var numbers = new List<int>();
        while (numbers.Count < MessagesEach)
        {
            var message = await to.ReceiveAsync();
            if (message.GetProperty("type").GetString() != "chat" || message.GetProperty("from").GetString() != from)
                continue;
            var data = message.GetProperty("data");
            numbers.Add(data.GetProperty("n").GetInt32());
            latencies.Add(clock.Elapsed.TotalMilliseconds - data.GetProperty("t").GetDouble());
        }
        return numbers;
    }
}

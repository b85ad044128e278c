using System.Net.WebSockets;
using System.Text.Json;
using Switchboard.IntegrationTests.Support;
using Xunit.Abstractions;
using static Switchboard.IntegrationTests.Support.LifecycleEvents;

namespace Switchboard.IntegrationTests;

/// <summary>
/// Lifecycle events from three node processes to the test backend process: many connections' events each in their order,
/// and, with Events:Store=redis, a node killed with events waiting (PROTOCOL.md "Lifecycle events").
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class LifecycleEventsClusterTests(ITestOutputHelper output)
{
    private const int Connections = 1_000;

    [Fact]
    public async Task A_thousand_connections_over_three_nodes_each_have_every_event_in_the_order_it_happened()
    {
        await using var backend = await TestBackend.StartAsync();
        var nodes = await ClusterTests.ThreeNodes.StartAsync(3, settings: _ => Settings(backend));
        try
        {
            var run = Guid.NewGuid().ToString("N")[..8];
            var ids = new string[Connections];
            // Fifty at a time, each opening on its node, joining, leaving and closing.
            await Parallel.ForEachAsync(Enumerable.Range(0, Connections), new ParallelOptions { MaxDegreeOfParallelism = 50 }, async (i, _) =>
            {
                var node = nodes[i % 3];
                var client = await Client.ConnectAsync(new Uri($"ws://{node.BaseUri.Authority}/ws?user_id=many-{run}-{i}"));
                await client.SendAsync($$"""{"type":"join","group":"room-{{run}}-{{i % 20}}","id":"j"}""");
                Assert.Equal("ack", (await client.ReceiveAsync()).Type());
                await client.SendAsync($$"""{"type":"leave","group":"room-{{run}}-{{i % 20}}","id":"l"}""");
                Assert.Equal("ack", (await client.ReceiveAsync()).Type());
                ids[i] = client.ConnectionId;
                await client.DisposeAsync();
            });

            var events = await UntilAsync(backend, e =>
            {
                var closed = Distinct(e).Where(x => x.Type() == "disconnected").Select(x => x.Str("connection_id")).ToHashSet();
                return ids.All(closed.Contains);
            }, "every connection's disconnected came");
            var lines = Distinct(events).GroupBy(e => e.Str("connection_id") ?? "").ToDictionary(g => g.Key, g => g.ToList());
            for (var i = 0; i < Connections; i++)
            {
                var group = $"room-{run}-{i % 20}";
                Assert.Equal(["connected", $"joined:{group}", $"left:{group}", "disconnected"], Line(lines[ids[i]], ids[i]));
                Assert.All(lines[ids[i]], e => Assert.Equal($"many-{run}-{i}", e.Str("user_id")));
            }
            output.WriteLine($"{events.Length} events taken, {Distinct(events).Count} distinct");
        }
        finally
        {
            foreach (var node in nodes)
                await node.DisposeAsync();
        }
    }

    [Fact]
    public async Task With_redis_a_killed_nodes_waiting_events_and_its_connections_node_lost_come_from_one_survivor_with_node_down()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var backend = await TestBackend.StartAsync();
        var nodes = await ClusterTests.ThreeNodes.StartAsync(3, settings: _ =>
            Settings(backend, ("Events__Store", "redis"), ("Events__Redis", redis.ConnectionString)));
        var victims = new List<Client>();
        try
        {
            var run = Guid.NewGuid().ToString("N")[..8];
            var group = $"lost-{run}";
            for (var i = 0; i < 5; i++)
                victims.Add(await Client.ConnectAsync(new Uri($"ws://{nodes[2].BaseUri.Authority}/ws?user_id=victim-{run}-{i}&groups={group}")));
            var lostNode = victims[0].Welcome.GetProperty("data").GetProperty("node").GetString()!;
            await UntilAsync(backend, e => victims.All(v => Line(e, v.ConnectionId).Count == 2), "the victims' connected and joined came");

            // From here the application refuses every batch: what the victim makes waits in Redis.
            await backend.StatusAsync("events", 500);
            foreach (var victim in victims)
            {
                await victim.SendAsync($$"""{"type":"leave","group":"{{group}}","id":"l"}""");
                Assert.Equal("ack", (await victim.ReceiveAsync()).Type());
            }
            var closed = victims[4];
            victims.RemoveAt(4);
            await closed.DisposeAsync();
            await Eventually.TrueAsync(async () => (await StatsAsync(nodes[2])).GetProperty("pending").GetInt64() == 6,
                "the victim's five left and one disconnected wait");

            await nodes[2].DisposeAsync(); // SIGKILL
            await backend.StatusAsync("events", 0);
            var events = await UntilAsync(backend, e => victims.All(v => Line(e, v.ConnectionId).Contains("disconnected"))
                && Line(e, closed.ConnectionId).Contains("disconnected")
                && e.Any(x => x.Type() == "node_down" && x.Str("node") == lostNode), "the lost node's events, node_lost and node_down came");

            Assert.Equal(["connected", $"joined:{group}", $"left:{group}", "disconnected"], Line(events, closed.ConnectionId));
            Assert.Equal(1000, Distinct(events).Single(e => e.Str("connection_id") == closed.ConnectionId && e.Type() == "disconnected")
                .GetProperty("data").GetProperty("code").GetInt32());
            foreach (var victim in victims)
            {
                Assert.Equal(["connected", $"joined:{group}", $"left:{group}", "disconnected"], Line(events, victim.ConnectionId));
                var lost = Distinct(events).Single(e => e.Str("connection_id") == victim.ConnectionId && e.Type() == "disconnected");
                Assert.Equal("node_lost", lost.GetProperty("data").GetProperty("reason").GetString());
                Assert.Equal(1006, lost.GetProperty("data").GetProperty("code").GetInt32());
                Assert.Equal(lostNode, lost.Str("node"));
                Assert.Equal(victim.UserId, lost.Str("user_id"));
            }
            Assert.Single(Distinct(events), e => e.Type() == "node_down" && e.Str("node") == lostNode);
            // Exactly one survivor claimed the lost run.
            Assert.Single(nodes.Take(2), n => n.Output.Contains("Took over lost node " + lostNode));
        }
        finally
        {
            foreach (var victim in victims)
                victim.Socket.Dispose();
            foreach (var node in nodes)
                await node.DisposeAsync();
        }
    }
}

using System.Net.WebSockets;
using Switchboard.IntegrationTests.Support;
using Xunit.Abstractions;

namespace Switchboard.IntegrationTests;

/// <summary>
/// Real node processes under faults: a node frozen past the split brain resolver's decision, a node whose seeds
/// never answer, and a rolling restart under traffic (through bootstrap). Each test starts its own cluster.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterFaultTests(ITestOutputHelper output)
{
    private static Uri WebSocketUri(ServiceProcess node, string user) => new($"ws://{node.BaseUri.Authority}/ws?user_id={user}");

    private static string Unique(string name) => $"{name}-{Guid.NewGuid():N}"[..16];

    [Fact]
    public async Task A_frozen_node_that_was_downed_closes_its_clients_with_1001_never_serves_again_and_exits_non_zero()
    {
        var nodes = await ClusterTests.ThreeNodes.StartAsync(3);
        try
        {
            var frozenClients = new List<Client>();
            for (var i = 0; i < 3; i++)
                frozenClients.Add(await Client.ConnectAsync(WebSocketUri(nodes[2], Unique("on-3"))));
            await using var traffic = await PairTraffic.StartAsync(nodes[0], nodes[1], pairs: 10);

            nodes[2].Freeze();
            var frozenAt = traffic.Elapsed;
            // The survivors mark it unreachable and, after the resolver's stable-after, down and remove it.
            await ClusterTests.ThreeNodes.AllSeeAsync([nodes[0], nodes[1]], 2);
            var downedAt = traffic.Elapsed;
            var flowingDuringTheFreeze = traffic.ReceivedSince(frozenAt);

            nodes[2].Thaw();
            foreach (var client in frozenClients)
                Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, await client.ReceiveCloseAsync());
            var exitCode = await NeverHealthyUntilExitAsync(nodes[2]);
            if (exitCode != 3)
                output.WriteLine(nodes[2].Output);
            Assert.Equal(3, exitCode);
            Assert.Contains("removed from the cluster", nodes[2].Output);

            // Between the survivors every message arrives once: those whose entity was on the frozen node are resent
            // until its shards have moved, and arrive late.
            var sent = await traffic.StopAsync(runUntil: downedAt + PairTraffic.Settling + TimeSpan.FromSeconds(3));
            Assert.True(flowingDuringTheFreeze > 0, "messages kept flowing between the survivors while node 3 was frozen");
            var (lost, duplicates) = traffic.Check(sentAfter: TimeSpan.Zero);
            output.WriteLine($"frozen at {frozenAt.TotalSeconds:F1} s, downed at {downedAt.TotalSeconds:F1} s; {sent} sent, " +
                             $"{lost} lost{(traffic.LastLoss is { } last ? $" (the last sent at {last.TotalSeconds:F1} s)" : "")}, {duplicates} twice; " +
                             $"the slowest took {traffic.LongestDelay.TotalSeconds:F1} s");
            Assert.Equal(0, duplicates);
            Assert.Equal(0, lost);

            // A client of the downed node reconnects to a survivor and is reached there.
            var user = frozenClients[0].UserId;
            await using var again = await Client.ConnectAsync(WebSocketUri(nodes[0], user));
            await using var sender = await Client.ConnectAsync(WebSocketUri(nodes[1], Unique("sender")));
            await ClusterFailoverTests.WaitRegisteredAsync(nodes[1], user, 1);
            await sender.SendAsync($$"""{"type":"chat","to":"{{user}}","data":"welcome back"}""");
            Assert.Equal("welcome back", (await again.ReceiveAsync()).GetProperty("data").GetString());
            foreach (var client in frozenClients)
                await client.DisposeAsync();
        }
        finally
        {
            foreach (var node in nodes)
                await node.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_node_whose_seeds_never_answer_says_so_and_exits_non_zero_within_the_join_timeout()
    {
        var nobody = ServiceProcess.FreePort();
        await using var node = ServiceProcess.Start(new Dictionary<string, string>
        {
            ["CLUSTER_SEEDS"] = $"akka.tcp://switchboard@127.0.0.1:{nobody}",
            ["CLUSTER_PORT"] = ServiceProcess.FreePort().ToString(),
            ["CLUSTER_JOIN_TIMEOUT"] = "5",
        });

        // While it tries, it takes no connections: it could not route for them.
        Assert.Equal((503, "starting"), await UpgradeRefusalWhileStartingAsync(node));
        Assert.Equal(4, await NeverHealthyUntilExitAsync(node));
        Assert.Contains("did not manage to join its seed nodes", node.Output);
    }

    /// <summary>
    /// Through Cluster Bootstrap (config discovery): each restarted node finds the cluster again by asking the others'
    /// management endpoints. HistoryClusterTests' rolling restart with Redis history runs on seeds.
    /// </summary>
    [Fact]
    public async Task A_rolling_restart_under_traffic_loses_nothing_between_clients_on_nodes_that_are_up()
    {
        var nodes = await ConfigBootstrap.StartAsync(3);
        try
        {
            await using var traffic = await RollingTraffic.StartAsync(nodes, clientsPerNode: 2);
            for (var i = 0; i < nodes.Count; i++)
            {
                await traffic.MoveClientsOffAsync(i, () =>
                {
                    nodes[i].Terminate();
                    return Task.CompletedTask;
                });
                var exitCode = await nodes[i].WaitForExitAsync();
                if (exitCode != 0)
                    output.WriteLine(nodes[i].Output);
                Assert.Equal(0, exitCode);
                nodes[i] = nodes[i].StartAgain();
                await nodes[i].WaitUntilHealthyAsync();
                await ClusterTests.ThreeNodes.AllSeeAsync(nodes, 3);
                Assert.Contains("to existing cluster", nodes[i].Output); // bootstrap's join, logged by its coordinator
                await traffic.ResumeAsync();
            }
            var (acked, lost, duplicates) = await traffic.StopAsync();
            output.WriteLine($"rolling restart: {acked} messages counted, {lost} lost, {duplicates} delivered twice");
            foreach (var detail in traffic.LostDetails)
                output.WriteLine(detail);
            Assert.True(acked > 0);
            Assert.Equal(0, duplicates);
            Assert.Equal(0, lost);
            Assert.True(traffic.AllConnected, "every client is connected again");
        }
        finally
        {
            foreach (var node in nodes)
                await node.DisposeAsync();
        }
    }

    /// <summary>The status and error code of an upgrade, once the node answers at all.</summary>
    private static async Task<(int, string?)> UpgradeRefusalWhileStartingAsync(ServiceProcess node)
    {
        var giveUp = DateTime.UtcNow + Eventually.Deadline;
        while (true)
        {
            try
            {
                await using var refused = await RawWebSocket.ConnectAsync(node.BaseUri);
                return (refused.Status, refused.Status == 101 ? null
                    : System.Text.Json.JsonDocument.Parse(refused.Body).RootElement.GetProperty("error").GetString());
            }
            catch (System.Net.Sockets.SocketException) when (DateTime.UtcNow < giveUp && !node.HasExited)
            {
                await Task.Delay(100); // not listening yet
            }
        }
    }

    /// <summary>Polls the node's health until the process exits; it must never answer 200 meanwhile.</summary>
    private static async Task<int> NeverHealthyUntilExitAsync(ServiceProcess node)
    {
        using var http = new HttpClient { BaseAddress = node.BaseUri, Timeout = TimeSpan.FromSeconds(2) };
        var giveUp = DateTime.UtcNow + Eventually.Deadline * 3;
        while (!node.HasExited && DateTime.UtcNow < giveUp)
        {
            try
            {
                var health = await http.GetAsync("/ws/health");
                Assert.NotEqual(200, (int)health.StatusCode);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }
            await Task.Delay(100);
        }
        return await node.WaitForExitAsync();
    }
}

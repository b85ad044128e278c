using System.Net;
using System.Net.WebSockets;
using Switchboard.Contracts;
using Switchboard.IntegrationTests.Support;

namespace Switchboard.IntegrationTests;

/// <summary>The admin API on three real node processes: answers gathered from every node, actions carried out on each.</summary>
[Collection(ClusterCollection.Name)]
public sealed class AdminApiClusterTests(ClusterTests.ThreeNodes cluster) : IClassFixture<ClusterTests.ThreeNodes>
{
    private static string Unique(string name) => $"{name}-{Guid.NewGuid():N}"[..20];

    private static HttpClient Http(ServiceProcess node) => new() { BaseAddress = node.BaseUri };

    private static Task<Client> ConnectAsync(ServiceProcess node, string query) =>
        Client.ConnectAsync(new Uri($"ws://{node.BaseUri.Authority}/ws?{query}"));

    internal static async Task<T> GetAsync<T>(ServiceProcess node, string route)
    {
        using var http = Http(node);
        return await AdminClient.GetAsync<T>(http, "/ws" + route);
    }

    /// <summary>The node's name as the admin API gives it (<c>host:port</c> of its cluster address).</summary>
    internal static async Task<string> NodeNameAsync(ServiceProcess node)
    {
        var self = (await GetAsync<ClusterView>(node, AdminRoutes.Cluster)).Self;
        return self[(self.LastIndexOf('@') + 1)..];
    }

    [Fact]
    public async Task Cluster_view_lists_three_up_members_from_any_node()
    {
        foreach (var node in cluster.Nodes)
        {
            var view = await GetAsync<ClusterView>(node, AdminRoutes.Cluster);
            Assert.Equal(3, view.Members.Count);
            Assert.All(view.Members, m => Assert.Equal(("up", true), (m.Status, m.Reachable)));
            Assert.Equal(view.Self, Assert.Single(view.Members, m => m.IsSelf).Address);
            Assert.Equal(view.Leader, Assert.Single(view.Members, m => m.IsLeader).Address);
        }
    }

    [Fact]
    public async Task Region_stats_list_the_user_and_group_regions_of_every_node()
    {
        var names = await Task.WhenAll(cluster.Nodes.Select(NodeNameAsync));
        var clients = await Task.WhenAll(cluster.Nodes.Select(n => ConnectAsync(n, $"user_id={Unique("region")}&groups={Unique("g")}")));
        try
        {
            foreach (var region in new[] { "user", "group" })
            {
                await Eventually.TrueAsync(async () =>
                {
                    var stats = await GetAsync<RegionStatsView>(cluster.Nodes[0], AdminRoutes.RegionStats.Replace("{region}", region));
                    Assert.Equal(region, stats.Region);
                    Assert.Empty(stats.MissingNodes);
                    Assert.Equal(names.Order(StringComparer.Ordinal), stats.Nodes.Select(n => n.Node).Order(StringComparer.Ordinal));
                    return stats.Nodes.Sum(n => n.Entities) >= 3;
                }, $"the {region} region counts an entity per connection's user or group");
                var shards = await GetAsync<ShardStatsView>(cluster.Nodes[1], AdminRoutes.ShardStats.Replace("{region}", region));
                Assert.Equal(3, shards.Nodes.Count);
            }
        }
        finally
        {
            foreach (var client in clients)
                await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task One_users_connections_on_three_nodes_are_listed_and_kicked_with_1008()
    {
        var user = Unique("everywhere");
        var names = await Task.WhenAll(cluster.Nodes.Select(NodeNameAsync));
        var clients = await Task.WhenAll(cluster.Nodes.Select(n => ConnectAsync(n, $"user_id={user}")));
        try
        {
            var page = await GetAsync<ConnectionPage>(cluster.Nodes[0], $"{AdminRoutes.Connections}?user={user}");
            Assert.Empty(page.MissingNodes);
            Assert.Null(page.Next);
            Assert.Equal(clients.Select(c => c.ConnectionId).Order(StringComparer.Ordinal),
                page.Connections.Select(c => c.ConnectionId).Order(StringComparer.Ordinal));
            Assert.Equal(names.Order(StringComparer.Ordinal), page.Connections.Select(c => c.Node).Order(StringComparer.Ordinal));

            var onOne = await GetAsync<ConnectionPage>(cluster.Nodes[0], $"{AdminRoutes.Connections}?user={user}&node={names[2]}");
            Assert.Equal(clients[2].ConnectionId, Assert.Single(onOne.Connections).ConnectionId);
            var view = await GetAsync<UserView>(cluster.Nodes[1], AdminRoutes.User.Replace("{id}", user));
            Assert.Equal(3, view.Connections.Count);

            using var http = Http(cluster.Nodes[0]);
            var kicked = await AdminClient.PostAsync<KickResult>(http, "/ws" + AdminRoutes.Kick, new KickRequest(user, null, null));
            Assert.Equal(3, kicked.Closed);
            Assert.Equal(names.Order(StringComparer.Ordinal), kicked.Nodes);
            foreach (var client in clients)
            {
                Assert.Equal(WebSocketCloseStatus.PolicyViolation, await client.ReceiveCloseAsync());
                Assert.Equal("kicked", client.Socket.CloseStatusDescription);
            }
            // Each node that closed a connection logs it, with the caller's name (protected mode: loopback).
            for (var i = 0; i < 3; i++)
            {
                var node = cluster.Nodes[i];
                var name = names[i];
                await Eventually.TrueAsync(() => node.Output.Contains($"Audit: kick by loopback target user {user} on {name}: closed 1"),
                    $"{name} logs its part of the kick");
            }
        }
        finally
        {
            foreach (var client in clients)
                await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task Rate_limit_set_on_one_node_takes_effect_on_every_node()
    {
        const string route = "/ws/health/live";
        using var http = Http(cluster.Nodes[0]);
        await AdminClient.PutAsync<RateLimitView>(http, "/ws" + AdminRoutes.RateLimit,
            new RateLimitView(null, new Dictionary<string, string> { [route] = "1-H" }));
        try
        {
            foreach (var node in cluster.Nodes)
            {
                await Eventually.TrueAsync(async () =>
                    (await GetAsync<RateLimitView>(node, AdminRoutes.RateLimit)).PerRouteRates.GetValueOrDefault(route) == "1-H",
                    "every node has the new rate");
                using var client = Http(node);
                Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(route)).StatusCode);
                Assert.Equal(HttpStatusCode.TooManyRequests, (await client.GetAsync(route)).StatusCode);
            }
            Assert.Contains("Audit: ratelimit-set by loopback target rate off, per route /ws/health/live=1-H: applied here", cluster.Nodes[0].Output);
            Assert.Contains("Audit: ratelimit-set by loopback target", cluster.Nodes[2].Output);
        }
        finally
        {
            await AdminClient.PutAsync<RateLimitView>(http, "/ws" + AdminRoutes.RateLimit, new RateLimitView(null, new Dictionary<string, string>()));
        }
    }

    [Fact]
    public async Task Cluster_events_and_top_stream_from_a_node()
    {
        using var http = Http(cluster.Nodes[1]);
        var (type, first) = await AdminClient.FirstEventAsync<ClusterEvent>(http, "/ws" + AdminRoutes.ClusterEvents);
        Assert.Equal("text/event-stream", type);
        Assert.Equal("member_up", first.Type);

        var (_, sample) = await AdminClient.FirstEventAsync<TopSample>(http, "/ws" + AdminRoutes.Top);
        Assert.Equal(3, sample.Nodes.Count);
        Assert.Empty(sample.MissingNodes);
        Assert.All(sample.Nodes, n => Assert.Equal("up", n.Status));
        Assert.Equal(sample.Nodes.Sum(n => n.Connections), sample.Totals.Connections);
    }
}

/// <summary>Admin actions that take a node away, each on a three-node cluster of its own.</summary>
[Collection(ClusterCollection.Name)]
public sealed class AdminApiNodeActionTests
{
    [Fact]
    public async Task Drain_of_another_node_sends_its_clients_1001_and_it_leaves_and_exits_0()
    {
        var nodes = await ClusterTests.ThreeNodes.StartAsync(3);
        try
        {
            var target = nodes[2];
            var name = await AdminApiClusterTests.NodeNameAsync(target);
            await using var client = await Client.ConnectAsync(new Uri($"ws://{target.BaseUri.Authority}/ws?user_id=drained"));

            using var http = new HttpClient { BaseAddress = nodes[0].BaseUri };
            var result = await AdminClient.PostAsync<ActionResult>(http, "/ws" + AdminRoutes.Drain, new MemberRequest(name));
            Assert.True(result.Done, result.Message);

            Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, await client.ReceiveCloseAsync());
            Assert.Equal(0, await target.WaitForExitAsync());
            await Eventually.TrueAsync(async () =>
                (await AdminApiClusterTests.GetAsync<ClusterView>(nodes[0], AdminRoutes.Cluster)).Members.Count == 2,
                "the drained node has left the cluster");
            Assert.Contains($"Audit: drain by loopback target {name}: started", target.Output);
            Assert.Contains($"Audit: drain by loopback target {name}: forwarded, started", nodes[0].Output);
        }
        finally
        {
            foreach (var node in nodes)
                await node.DisposeAsync();
        }
    }

    [Fact]
    public async Task Down_of_a_killed_node_removes_it()
    {
        var nodes = await ClusterTests.ThreeNodes.StartAsync(3);
        try
        {
            var name = await AdminApiClusterTests.NodeNameAsync(nodes[2]);
            await nodes[2].DisposeAsync(); // killed, not stopped: it never says goodbye
            await Eventually.TrueAsync(async () =>
                (await AdminApiClusterTests.GetAsync<ClusterView>(nodes[0], AdminRoutes.Cluster)).Members
                .Any(m => m.Address.EndsWith("@" + name, StringComparison.Ordinal) && !m.Reachable),
                "the killed node is unreachable");

            using var http = new HttpClient { BaseAddress = nodes[0].BaseUri };
            var result = await AdminClient.PostAsync<ActionResult>(http, "/ws" + AdminRoutes.ClusterDown, new MemberRequest(name));
            Assert.True(result.Done, result.Message);
            await Eventually.TrueAsync(async () =>
                (await AdminApiClusterTests.GetAsync<ClusterView>(nodes[1], AdminRoutes.Cluster)).Members.Count == 2,
                "the downed node is removed");
            Assert.Contains($"Audit: down by loopback target akka.tcp://switchboard@{name}: downed", nodes[0].Output);
        }
        finally
        {
            foreach (var node in nodes)
                await node.DisposeAsync();
        }
    }
}

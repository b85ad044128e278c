using System.Text;
using Switchboard.IntegrationTests.Support;

namespace Switchboard.IntegrationTests;

/// <summary>Prometheus scrapes of three real node processes in one cluster, with default settings.</summary>
[Collection(ClusterCollection.Name)]
public sealed class MetricsClusterTests(ClusterTests.ThreeNodes cluster)
{
    private const int DirectMessages = 40; // over the default sampling of one in 16, so that some are timed

    /// <summary>The hub's series every node shows from its start (the delivery histogram once a delivery was timed).</summary>
    public static readonly string[] HubSeries =
    [
        "switchboard_connections", "switchboard_connections_opened_total", "switchboard_connections_closed_total",
        "switchboard_messages_received_total", "switchboard_messages_sent_total", "switchboard_deliveries_total",
        "switchboard_direct_sent_here_total",
        "switchboard_messages_dropped_total", "switchboard_slow_consumers_closed_total", "switchboard_heartbeat_timeouts_total",
        "switchboard_ratelimit_decisions_total", "switchboard_cluster_members", "switchboard_sharding_entities",
        "switchboard_auth_refusals_total",
    ];

    private static readonly string[] DeliverySeries =
        ["switchboard_delivery_seconds_bucket", "switchboard_delivery_seconds_sum", "switchboard_delivery_seconds_count"];

    private static string Unique(string name) => $"{name}-{Guid.NewGuid():N}"[..20];

    private Task<Client> ConnectAsync(int node, string user, string query = "") =>
        Client.ConnectAsync(new Uri($"ws://{cluster.Nodes[node].BaseUri.Authority}/ws?user_id={user}{query}"));

    private async Task<Exposition[]> ScrapeAllAsync(HttpClient http) =>
        await Task.WhenAll(cluster.Nodes.Select(node => Exposition.ScrapeAsync(http, node.BaseUri)));

    [Fact]
    public async Task Every_node_shows_every_series_and_the_traffic_series_move_with_traffic()
    {
        using var http = new HttpClient();
        var before = await ScrapeAllAsync(http);
        foreach (var scrape in before)
        {
            foreach (var series in HubSeries)
                Assert.True(scrape.Has(series), $"{series} is in the scrape");
            Assert.Equal(3, scrape.Value("switchboard_cluster_members", ("status", "up")));
            Assert.Equal("counter", scrape.Types["switchboard_deliveries_total"]);
            Assert.Equal("gauge", scrape.Types["switchboard_connections"]);
            // The platform's meters: the runtime's, ASP.NET Core's and Kestrel's.
            Assert.Contains(scrape.Samples, s => s.Name.StartsWith("dotnet_gc_", StringComparison.Ordinal));
            Assert.Contains(scrape.Samples, s => s.Name.StartsWith("http_server_request_duration_seconds", StringComparison.Ordinal));
            Assert.Contains(scrape.Samples, s => s.Name.StartsWith("kestrel_", StringComparison.Ordinal));
        }

        var (aliceId, bobId, carolId, daveId, group) = (Unique("alice"), Unique("bob"), Unique("carol"), Unique("dave"), Unique("room"));
        await using var alice = await ConnectAsync(0, aliceId);
        await using var bob = await ConnectAsync(0, bobId);
        await using var carol = await ConnectAsync(1, carolId, $"&groups={group}");
        await using var dave = await ConnectAsync(2, daveId);
        using var api = new HttpClient { BaseAddress = cluster.Nodes[0].BaseUri };
        await Eventually.TrueAsync(async () => (await api.GetAsync($"/ws/users/{bobId}")).IsSuccessStatusCode
                                               && (await api.GetAsync($"/ws/users/{daveId}")).IsSuccessStatusCode
                                               && (await api.GetAsync($"/ws/groups/{group}")).IsSuccessStatusCode,
            "the cluster knows bob, dave and carol's group");
        // A scrape is served from the exporter's cache for a moment (docs/operations.md): poll until it shows the connections.
        Exposition[] during = [];
        await Eventually.TrueAsync(async () =>
        {
            during = await ScrapeAllAsync(http);
            return during[0].Value("switchboard_connections") - before[0].Value("switchboard_connections") == 2
                   && during[1].Value("switchboard_connections") - before[1].Value("switchboard_connections") == 1
                   && during[2].Value("switchboard_connections") - before[2].Value("switchboard_connections") == 1;
        }, "the nodes show alice and bob, carol, dave connected");
        Assert.Equal(2, during[0].Value("switchboard_connections_opened_total") - before[0].Value("switchboard_connections_opened_total"));

        // Direct within node 1, direct to node 3, a group on node 2, a broadcast from node 3 to every connection.
        for (var i = 0; i < DirectMessages; i++)
            await alice.SendAsync($$"""{"type":"chat","to":"{{bobId}}","data":{{i}}}""");
        await alice.SendAsync($$"""{"type":"chat","to":"{{daveId}}","data":"far"}""");
        await alice.SendAsync($$"""{"type":"chat","group":"{{group}}","data":"all"}""");
        for (var i = 0; i < DirectMessages; i++)
            Assert.Equal(i, (await bob.ReceiveAsync()).GetProperty("data").GetInt32());
        Assert.Equal("far", (await dave.ReceiveAsync()).GetProperty("data").GetString());
        Assert.Equal("all", (await carol.ReceiveAsync()).GetProperty("data").GetString());
        using var toNode3 = new HttpClient { BaseAddress = cluster.Nodes[2].BaseUri };
        Assert.Equal(202, (int)(await toNode3.PostAsync("/ws/broadcast",
            new StringContent("""{"type":"notice","data":"everyone"}""", Encoding.UTF8, "application/json"))).StatusCode);
        foreach (var client in new[] { alice, bob, carol, dave })
            Assert.Equal("everyone", (await client.ReceiveAsync()).GetProperty("data").GetString());

        Exposition[] after = [];
        double Delta(int node, string name, params (string, string)[] labels) =>
            after[node].Value(name, labels) - before[node].Value(name, labels);
        await Eventually.TrueAsync(async () =>
        {
            after = await ScrapeAllAsync(http);
            return Delta(0, "switchboard_deliveries_total", ("kind", "broadcast")) == 2
                   && Delta(1, "switchboard_deliveries_total", ("kind", "broadcast")) == 1
                   && Delta(2, "switchboard_deliveries_total", ("kind", "broadcast")) == 1;
        }, "every node counted its broadcast deliveries");
        Assert.Equal(DirectMessages, Delta(0, "switchboard_deliveries_total", ("kind", "direct")));
        Assert.Equal(1, Delta(2, "switchboard_deliveries_total", ("kind", "direct")));
        Assert.Equal(1, Delta(1, "switchboard_deliveries_total", ("kind", "group")));
        Assert.Equal(0, Delta(0, "switchboard_deliveries_total", ("kind", "group")));
        Assert.Equal(DirectMessages + 2, Delta(0, "switchboard_messages_received_total"));
        Assert.True(Delta(0, "switchboard_messages_sent_total") >= DirectMessages + 2, "bob's messages and the broadcasts were sent");
        // Node 1 accepted 42 messages and wrote 40 of them to bob: at least one of those was timed, wherever bob's entity runs.
        foreach (var series in DeliverySeries)
            Assert.True(after[0].Has(series), $"{series} is in node 1's scrape");
        Assert.True(Delta(0, "switchboard_delivery_seconds_count") > 0, "node 1 timed deliveries");
        Assert.Equal(after[0].Value("switchboard_delivery_seconds_count"),
            after[0].Value("switchboard_delivery_seconds_bucket", ("le", "+Inf")));
        Assert.Equal("histogram", after[0].Types["switchboard_delivery_seconds"]);

        // The sharding census is refreshed in the background: the user entities show on some node within a few seconds.
        await Eventually.TrueAsync(async () =>
            (await ScrapeAllAsync(http)).Sum(s => s.Value("switchboard_sharding_entities", ("type", "user"))) > 0,
            "some node reports user entities");

        // Bounded labels: no user, group or connection names in any series.
        foreach (var scrape in after)
        {
            foreach (var name in new[] { aliceId, bobId, carolId, daveId, group, alice.ConnectionId, bob.ConnectionId })
                Assert.DoesNotContain(name, scrape.Text);
        }

        await bob.DisposeAsync();
        await Eventually.TrueAsync(async () =>
        {
            var scrape = await Exposition.ScrapeAsync(http, cluster.Nodes[0].BaseUri);
            return scrape.Value("switchboard_connections_closed_total", ("code", "1000"))
                   - before[0].Value("switchboard_connections_closed_total", ("code", "1000")) == 1;
        }, "node 1 counted bob's close with 1000");
    }
}

using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Switchboard.IntegrationTests.Support;

namespace Switchboard.IntegrationTests;

/// <summary>Three real node processes on loopback forming one cluster: messages reach recipients on any node.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterTests(ClusterTests.ThreeNodes cluster)
{
    /// <summary>Started once for the cluster collection (<see cref="ClusterCollection"/>): node 1 is the seed, nodes 2 and 3 join it.</summary>
    public sealed class ThreeNodes : IAsyncLifetime
    {
        public List<ServiceProcess> Nodes { get; } = [];

        public async Task InitializeAsync() => Nodes.AddRange(await StartAsync(3));

        /// <summary>
        /// Starts <paramref name="count"/> nodes seeded by the first and waits until each sees all of them up.
        /// <paramref name="settings"/> gives node i settings of its own, as variables.
        /// </summary>
        public static async Task<List<ServiceProcess>> StartAsync(int count, Func<int, IDictionary<string, string>>? settings = null)
        {
            var ports = Enumerable.Range(0, count).Select(_ => ServiceProcess.FreePort()).ToArray();
            var seed = $"akka.tcp://switchboard@127.0.0.1:{ports[0]}";
            var nodes = ports.Select((port, i) => ServiceProcess.Start(new Dictionary<string, string>(settings?.Invoke(i) ?? new Dictionary<string, string>())
            {
                ["CLUSTER_SEEDS"] = seed,
                ["CLUSTER_PORT"] = port.ToString(),
            })).ToList();
            foreach (var node in nodes)
                await node.WaitUntilHealthyAsync();
            await AllSeeAsync(nodes, count);
            await BroadcastsReachEveryNodeAsync(nodes);
            return nodes;
        }

        /// <summary>
        /// Distributed pub-sub learns of a node's subscription by gossip, a moment after membership: until then a
        /// broadcast published elsewhere does not reach that node (docs/cluster.md). Waits until a broadcast from
        /// each node reaches a probe connection on every node, re-sending, since a missed one is never delivered.
        /// </summary>
        public static async Task BroadcastsReachEveryNodeAsync(IReadOnlyList<ServiceProcess> nodes)
        {
            var probes = await Task.WhenAll(nodes.Select((node, i) =>
                Client.ConnectAsync(new Uri($"ws://{node.BaseUri.Authority}/ws?user_id=probe-{i}"))));
            using var http = new HttpClient();
            foreach (var sender in nodes)
            {
                var marker = Guid.NewGuid().ToString("N");
                using var received = new CancellationTokenSource();
                var posting = Task.Run(async () =>
                {
                    while (!received.IsCancellationRequested)
                    {
                        await http.PostAsync(new Uri(sender.BaseUri, "/ws/broadcast"),
                            new StringContent($$"""{"type":"probe","data":"{{marker}}"}""", Encoding.UTF8, "application/json"));
                        await Task.Delay(200);
                    }
                });
                foreach (var probe in probes)
                    while (!(await probe.ReceiveAsync()).TryGetProperty("data", out var data) || data.GetString() != marker)
                    {
                    }
                await received.CancelAsync();
                await posting;
            }
            foreach (var probe in probes)
                await probe.DisposeAsync();
        }

        public static async Task AllSeeAsync(IEnumerable<ServiceProcess> nodes, int members)
        {
            using var http = new HttpClient();
            foreach (var node in nodes)
            {
                await Eventually.TrueAsync(async () =>
                {
                    var health = await http.GetFromJsonAsync<JsonElement>(new Uri(node.BaseUri, "/ws/health"));
                    return health.GetProperty("cluster_members").GetInt32() == members;
                }, $"every node sees {members} members up");
            }
        }

        public async Task DisposeAsync()
        {
            foreach (var node in Nodes)
                await node.DisposeAsync();
        }
    }

    private static string Unique(string name) => $"{name}-{Guid.NewGuid():N}"[..20];

    private Task<Client> ConnectAsync(int node, string user, string query = "") =>
        Client.ConnectAsync(new Uri($"ws://{cluster.Nodes[node].BaseUri.Authority}/ws?user_id={user}{query}"));

    private async Task PostAsync(int node, string path, string json)
    {
        using var http = new HttpClient { BaseAddress = cluster.Nodes[node].BaseUri };
        var response = await http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
        Assert.Equal(202, (int)response.StatusCode);
    }

    [Fact]
    public async Task Users_on_different_nodes_exchange_messages()
    {
        var (aliceId, bobId) = (Unique("alice"), Unique("bob"));
        await using var alice = await ConnectAsync(0, aliceId);
        await using var bob = await ConnectAsync(2, bobId);
        Assert.NotEqual(alice.Welcome.GetProperty("data").GetProperty("node").GetString(),
            bob.Welcome.GetProperty("data").GetProperty("node").GetString());

        // Registration with the user bucket entity follows the welcome; wait until the cluster knows bob.
        using var http = new HttpClient { BaseAddress = cluster.Nodes[0].BaseUri };
        await Eventually.TrueAsync(async () => (await http.GetAsync($"/ws/users/{bobId}")).IsSuccessStatusCode, "bob is registered");
        await alice.SendAsync($$"""{"type":"chat","to":"{{bobId}}","data":"hello bob","id":1}""");
        Assert.Equal("ack", (await alice.ReceiveAsync()).GetProperty("type").GetString());
        var atBob = await bob.ReceiveAsync();
        Assert.Equal(("hello bob", aliceId), (atBob.GetProperty("data").GetString(), atBob.GetProperty("from").GetString()));

        await Eventually.TrueAsync(async () => (await http.GetAsync($"/ws/users/{aliceId}")).IsSuccessStatusCode, "alice is registered");
        await bob.SendAsync($$"""{"type":"chat","to":"{{aliceId}}","data":"hello alice"}""");
        var atAlice = await alice.ReceiveAsync();
        Assert.Equal(("hello alice", bobId), (atAlice.GetProperty("data").GetString(), atAlice.GetProperty("from").GetString()));
    }

    [Fact]
    public async Task Group_spread_over_three_nodes_gets_each_message_once_per_member()
    {
        var group = Unique("g");
        var members = new List<Client>();
        for (var i = 0; i < 6; i++)
        {
            var member = await ConnectAsync(i % 3, Unique("member"));
            await member.SendAsync($$"""{"type":"join","group":"{{group}}","id":"j"}""");
            Assert.Equal("ack", (await member.ReceiveAsync()).GetProperty("type").GetString());
            members.Add(member);
        }

        await PostAsync(1, "/ws/message", $$"""{"group":"{{group}}","type":"news","data":1}""");
        await PostAsync(1, "/ws/message", $$"""{"group":"{{group}}","type":"marker"}""");
        foreach (var member in members)
        {
            Assert.Equal("news", (await member.ReceiveAsync()).GetProperty("type").GetString());
            Assert.Equal("marker", (await member.ReceiveAsync()).GetProperty("type").GetString());
        }
        foreach (var member in members)
            await member.DisposeAsync();
    }

    [Fact]
    public async Task Broadcast_from_one_nodes_api_reaches_every_connection_on_every_node()
    {
        var clients = new List<Client>();
        for (var i = 0; i < 30; i++)
            clients.Add(await ConnectAsync(i % 3, Unique("all")));

        await PostAsync(1, "/ws/broadcast", """{"type":"notice","data":"everyone"}""");
        await PostAsync(1, "/ws/broadcast", """{"type":"marker"}""");
        foreach (var client in clients)
        {
            var notice = await client.ReceiveAsync();
            Assert.Equal(("notice", "server"), (notice.GetProperty("type").GetString(), notice.GetProperty("from").GetString()));
            Assert.Equal("marker", (await client.ReceiveAsync()).GetProperty("type").GetString());
        }
        foreach (var client in clients)
            await client.DisposeAsync();
    }

    [Fact]
    public async Task Bursts_between_two_nodes_all_arrive_in_order()
    {
        var (sender, receiver) = (cluster.Nodes[0].BaseUri, cluster.Nodes[2].BaseUri);
        await Bursts.TenBurstsAsync(sender, receiver);
        await Bursts.TwentySendersAsync(sender, receiver);
        foreach (var node in cluster.Nodes)
            Assert.Equal(0, await Bursts.DroppedAsync(node.BaseUri));
    }

    [Fact]
    public async Task A_second_tab_on_another_node_gets_every_direct_message_after_its_first_while_the_first_tab_gets_them_all_in_order()
    {
        var (aliceId, bobId) = (Unique("alice"), Unique("bob"));
        await using var alice = await ConnectAsync(0, aliceId);
        await using var bob1 = await ConnectAsync(0, bobId);
        using var http = new HttpClient { BaseAddress = cluster.Nodes[0].BaseUri };
        await Eventually.TrueAsync(async () => (await http.GetAsync($"/ws/users/{bobId}")).IsSuccessStatusCode, "bob is registered");
        var atBob1 = ReadNumbers(bob1);
        var sent = 0;
        async Task SendAsync()
        {
            sent++;
            await alice.SendAsync($$"""{"type":"chat","to":"{{bobId}}","data":{{sent}},"id":{{sent}}}""");
            Assert.Equal("ack", (await alice.ReceiveAsync()).GetProperty("type").GetString());
        }

        // Bob's only connection is on alice's node: after the first messages, hers go straight to it under the lease.
        var before = SentHere(await Exposition.ScrapeAsync(http, cluster.Nodes[0].BaseUri));
        for (var i = 0; i < 20; i++)
            await SendAsync();
        // Eventually: the exporter may answer a scrape from its cache for a moment.
        await Eventually.TrueAsync(async () => SentHere(await Exposition.ScrapeAsync(http, cluster.Nodes[0].BaseUri)) > before,
            "direct messages went straight to bob's connection");

        // A tab on another node: the lease is taken back before the tab counts, so from its first message on it misses none.
        await using var bob2 = await ConnectAsync(2, bobId);
        var atBob2 = ReadNumbers(bob2);
        while (atBob2.Count == 0 && sent < 3_000)
        {
            await SendAsync();
            await Task.Delay(2);
        }
        for (var i = 0; i < 50; i++)
            await SendAsync();
        await Eventually.TrueAsync(() => Task.FromResult(atBob1.Count == sent && atBob2.LastOrDefault() == sent), "both tabs have the last message");

        Assert.Equal(Enumerable.Range(1, sent), atBob1);
        Assert.Equal(Enumerable.Range(atBob2[0], sent - atBob2[0] + 1), atBob2);
    }

    private static double SentHere(Exposition metrics) => metrics.Has("switchboard_direct_sent_here_total") ? metrics.Value("switchboard_direct_sent_here_total") : 0;

    // The numbers the client receives, in order, as a reader running beside the test adds them.
    private static List<int> ReadNumbers(Client client)
    {
        var numbers = new List<int>();
        _ = Task.Run(async () =>
        {
            while (await client.ReceiveTextAsync() is { } text)
            {
                var frame = JsonDocument.Parse(text).RootElement;
                if (frame.GetProperty("type").GetString() == "chat")
                    lock (numbers)
                        numbers.Add(frame.GetProperty("data").GetInt32());
            }
        });
        return numbers;
    }

    [Fact]
    public async Task Cluster_stats_sum_every_node_and_list_each()
    {
        var clients = new List<Client>();
        for (var i = 0; i < 6; i++)
            clients.Add(await ConnectAsync(i % 3, Unique("counted")));

        using var http = new HttpClient { BaseAddress = cluster.Nodes[1].BaseUri };
        JsonElement stats = default;
        await Eventually.TrueAsync(async () =>
        {
            stats = await http.GetFromJsonAsync<JsonElement>("/ws/stats?scope=cluster");
            return stats.GetProperty("connections").GetInt64() == 6;
        }, "the cluster view counts the six connections");

        Assert.Equal("cluster", stats.GetProperty("scope").GetString());
        var nodes = stats.GetProperty("nodes").EnumerateArray().ToList();
        Assert.Equal(3, nodes.Count);
        Assert.All(nodes, n => Assert.Equal(2, n.GetProperty("connections").GetInt64()));
        foreach (var figure in new[] { "messages_out", "bytes_out", "max_connections" })
            Assert.Equal(nodes.Sum(n => n.GetProperty(figure).GetInt64()), stats.GetProperty(figure).GetInt64());
        Assert.Empty(stats.GetProperty("unreachable").EnumerateArray());

        foreach (var client in clients)
            await client.DisposeAsync();
    }
}

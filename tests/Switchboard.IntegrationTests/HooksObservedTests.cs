using System.Text.Json;
using Microsoft.Playwright;
using Switchboard.Contracts;
using Switchboard.IntegrationTests.Support;

namespace Switchboard.IntegrationTests;

/// <summary>
/// How an operator sees the application's hooks, on three real node processes and the real test backend: node 0 has the
/// rpc and join hooks, node 1 the rpc hook, node 2 none. <c>sbctl hooks</c> (the real binary) gathers every node's; each
/// node's metrics show its own; the dashboard (a real Chromium) shows them over the cluster, on any node.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class HooksObservedTests(HooksObservedTests.HookedCluster cluster) : IClassFixture<HooksObservedTests.HookedCluster>
{
    public sealed class HookedCluster : IAsyncLifetime
    {
        public TestBackend Backend { get; private set; } = null!;
        public List<ServiceProcess> Nodes { get; } = [];

        /// <summary>Each node's name as the admin API gives it (<c>host:port</c> of its cluster address), from its stats.</summary>
        public List<string> Names { get; } = [];

        public async Task InitializeAsync()
        {
            Backend = await TestBackend.StartAsync();
            string[][] hooks = [["rpc", "join"], ["rpc"], []];
            Nodes.AddRange(await ClusterTests.ThreeNodes.StartAsync(3, settings: i => hooks[i].Length == 0
                ? new Dictionary<string, string>()
                : Backend.Settings(hooks[i])));
            using var http = new HttpClient();
            foreach (var node in Nodes)
            {
                var stats = JsonDocument.Parse(await http.GetStringAsync(new Uri(node.BaseUri, "/ws/stats"))).RootElement;
                Names.Add(stats.GetProperty("node").GetString()!);
            }
        }

        public async Task DisposeAsync()
        {
            foreach (var node in Nodes)
                await node.DisposeAsync();
            await Backend.DisposeAsync();
        }
    }

    private static readonly string[] Hooks = ["connect", "refresh", "join", "publish", "rpc"];

    private string BackendHost => cluster.Backend.BaseUri.Authority;

    private string NodeName(int i) => cluster.Names[i];

    // Protected mode: a loopback caller needs no key.
    private Task<SbctlResult> SbctlAsync(int node, params string[] args) => Sbctl.RunAsync(["--node", cluster.Nodes[node].BaseUri.ToString(), .. args]);

    private async Task<HooksView> HooksAsync(int node = 2)
    {
        var run = await SbctlAsync(node, "hooks", "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        return JsonSerializer.Deserialize<HooksView>(run.Stdout, AdminJson.Options)!;
    }

    private Task<Client> ConnectAsync(int node, string user) =>
        Client.ConnectAsync(new Uri($"ws://{cluster.Nodes[node].BaseUri.Authority}/ws?user_id={user}-{Guid.NewGuid():N}"));

    private static async Task<JsonElement> RpcAsync(Client client, string id, string method)
    {
        await client.SendAsync(JsonSerializer.Serialize(new { type = "rpc", id, data = new { method, @params = new { n = id } } }));
        return await client.ReceiveAsync();
    }

    [Fact]
    public async Task Sbctl_hooks_json_names_every_hook_of_every_node_configured_or_not_and_asked_of_any_node()
    {
        var view = await HooksAsync(node: 2);

        Assert.Empty(view.MissingNodes);
        Assert.Equal(Enumerable.Range(0, 3).Select(NodeName).Order(StringComparer.Ordinal), view.Nodes.Select(n => n.Node));
        var byNode = Enumerable.Range(0, 3).Select(i => view.Nodes.Single(n => n.Node == NodeName(i))).ToList();
        Assert.All(byNode, n => Assert.Equal(Hooks, n.Hooks.Select(h => h.Hook)));
        Assert.Equal([null, null, BackendHost, null, BackendHost], byNode[0].Hooks.Select(h => h.Transport));
        Assert.Equal([null, null, null, null, BackendHost], byNode[1].Hooks.Select(h => h.Transport));
        Assert.All(byNode[2].Hooks, h => Assert.False(h.Configured));
        // No namespace asks the join hook, and nothing asks the others: none of them was called.
        Assert.All(byNode.SelectMany(n => n.Hooks).Where(h => h.Hook != "rpc"),
            h => Assert.Equal((0L, 0.0, (double?)null), (h.Calls, h.CallsPerSecond, h.P50Ms)));
        Assert.Equal([false, false, true, false, true], view.Cluster.Select(h => h.Configured));
        Assert.Equal(BackendHost, view.Cluster.Single(h => h.Hook == "rpc").Transport);
    }

    [Fact]
    public async Task Sbctl_hooks_draws_a_row_per_node_and_configured_hook_and_the_hooks_over_the_cluster()
    {
        var run = await SbctlAsync(0, "hooks");

        Assert.True(run.ExitCode == 0, run.ToString());
        var lines = run.Stdout.Split('\n');
        string[] Cells(string first, string second) => lines.Select(Row).Single(c => c.Length > 1 && c[0] == first && c[1] == second);
        Assert.Equal(BackendHost, Cells(NodeName(0), "join")[2]);
        Assert.Equal(BackendHost, Cells(NodeName(1), "rpc")[2]);
        Assert.Equal("off", Cells(NodeName(1), "join")[2]);
        Assert.Equal("off", Cells(NodeName(2), "rpc")[2]);
        Assert.Equal("2 of 3", Cells("rpc", "2 of 3")[1]);
        Assert.Equal("1 of 3", Cells("join", "1 of 3")[1]);
        Assert.Contains("not configured on any node: connect, refresh, publish", run.Stdout);
    }

    private static string[] Row(string line) =>
        line.Split(['│', '|'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(c => c.Length > 0).ToArray();

    [Fact]
    public async Task Metrics_show_the_hooks_a_node_has_configured_by_outcome_and_none_on_a_node_without()
    {
        using var http = new HttpClient();
        var scrapes = await Task.WhenAll(cluster.Nodes.Select(n => Exposition.ScrapeAsync(http, n.BaseUri)));

        Assert.Equal("counter", scrapes[0].Types["switchboard_hook_calls_total"]);
        Assert.Equal(["join", "rpc"], scrapes[0].LabelValues("switchboard_hook_calls_total", "hook").Order());
        Assert.Equal(["allowed", "busy", "denied", "failed", "timed_out"], scrapes[0].LabelValues("switchboard_hook_calls_total", "outcome").Order());
        Assert.Equal(["rpc"], scrapes[1].LabelValues("switchboard_hook_calls_total", "hook"));
        Assert.Equal(0, scrapes[0].Value("switchboard_hook_calls_total", ("hook", "join"), ("outcome", "allowed")));
        Assert.False(scrapes[2].Has("switchboard_hook_calls_total"));
        Assert.False(scrapes[2].Has("switchboard_hook_duration_seconds_count"));
    }

    [Fact]
    public async Task Dashboard_on_a_node_without_hooks_shows_the_hooks_of_the_others_with_their_failures()
    {
        await using var browser = await DashboardBrowser.OpenAsync(new Uri(cluster.Nodes[2].BaseUri, "/ws/dashboard"));
        var page = browser.Page;

        await Assertions.Expect(page.Locator("#members tbody tr[data-status='Up']")).ToHaveCountAsync(3);
        await Assertions.Expect(page.Locator("#hooks-panel")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#hooks tbody tr")).ToHaveCountAsync(2);
        var join = page.Locator("#hooks tbody tr[data-hook='join']");
        await Assertions.Expect(join.Locator("td").Nth(1)).ToHaveTextAsync(BackendHost);
        await Assertions.Expect(join).ToHaveAttributeAsync("data-failures", "0");
        await Assertions.Expect(join.Locator("td").Nth(5)).ToHaveTextAsync("0");
        await Assertions.Expect(page.Locator("#hooks tbody tr[data-hook='rpc']")).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task Sbctl_hooks_and_metrics_count_rpc_calls_made_over_websockets_on_each_node()
    {
        using var http = new HttpClient();
        var before = await HooksAsync();
        var scrapeBefore = await Exposition.ScrapeAsync(http, cluster.Nodes[0].BaseUri);
        await using var first = await ConnectAsync(0, "rpc-a");
        await using var second = await ConnectAsync(1, "rpc-b");

        var echoed = await RpcAsync(first, "r1", "echo");
        Assert.Equal("rpc_result", echoed.GetProperty("type").GetString());
        Assert.Equal("r1", echoed.GetProperty("data").GetProperty("params").GetProperty("n").GetString());
        Assert.Equal("rpc_result", (await RpcAsync(first, "r2", "echo")).GetProperty("type").GetString());
        var refused = await RpcAsync(first, "r3", "nope");
        Assert.Equal(("error", "no_method"), (refused.GetProperty("type").GetString(), refused.GetProperty("data").GetProperty("code").GetString()));
        Assert.Equal("rpc_result", (await RpcAsync(second, "r4", "echo")).GetProperty("type").GetString());

        var after = await HooksAsync();
        HookView RpcOf(HooksView view, int node) => view.Nodes.Single(n => n.Node == NodeName(node)).Hooks.Single(h => h.Hook == "rpc");
        var (node0, node1) = (RpcOf(after, 0), RpcOf(after, 1));
        Assert.Equal((2L, 1L), (node0.Allowed - RpcOf(before, 0).Allowed, node0.Denied - RpcOf(before, 0).Denied));
        Assert.Equal(1L, node1.Allowed - RpcOf(before, 1).Allowed);
        Assert.NotNull(node0.P50Ms);
        Assert.NotNull(node0.P99Ms);
        var rpc = after.Cluster.Single(h => h.Hook == "rpc");
        Assert.Equal(node0.Calls + node1.Calls, rpc.Calls);
        Assert.Equal(0L, rpc.Failures);

        // The scrape is served from the exporter's cache for a moment: polled until it shows the calls.
        await Eventually.TrueAsync(async () =>
        {
            var scrape = await Exposition.ScrapeAsync(http, cluster.Nodes[0].BaseUri);
            double Delta(string name, params (string, string)[] labels) => scrape.Value(name, labels) - scrapeBefore.Value(name, labels);
            return Delta("switchboard_hook_calls_total", ("hook", "rpc"), ("outcome", "allowed")) == 2
                   && Delta("switchboard_hook_calls_total", ("hook", "rpc"), ("outcome", "denied")) == 1
                   && Delta("switchboard_hook_duration_seconds_count", ("hook", "rpc")) == 3;
        }, "node 0's metrics count its three rpc calls, two allowed and one denied, and time them");
    }
}

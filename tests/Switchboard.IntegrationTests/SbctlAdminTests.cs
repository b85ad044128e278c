using System.Text.Json;
using Switchboard.IntegrationTests.Support;

namespace Switchboard.IntegrationTests;

/// <summary>
/// sbctl's admin commands, the real binary, against a real node's admin API (src/Contracts/AdminRoutes.cs).
/// </summary>
public sealed class SbctlAdminTests(KeyedServerFixture keyed) : IClassFixture<KeyedServerFixture>
{
    private SwitchboardServer Server => keyed.Server;

    private string[] Against(params string[] args) =>
        ["--node", Server.BaseUri.ToString(), "--key", KeyedServerFixture.Operator, .. args];

    private static string Unique(string name) => $"{name}-{Guid.NewGuid():N}"[..20];

    private async Task<JsonElement> JsonOfAsync(params string[] args)
    {
        var run = await Sbctl.RunAsync(Against([.. args, "--json"]));
        Assert.True(run.ExitCode == 0, run.ToString());
        return run.Json();
    }

    [Fact]
    public async Task Cluster_show_status_and_leader_name_the_one_member()
    {
        var show = await Sbctl.RunAsync(Against("cluster", "show"));
        var view = await JsonOfAsync("cluster", "show");
        var status = await JsonOfAsync("cluster", "status");
        var leader = await JsonOfAsync("cluster", "leader");

        Assert.True(show.ExitCode == 0, show.ToString());
        var self = view.GetProperty("self").GetString()!;
        Assert.Contains(self, show.Stdout);
        Assert.Contains("1 member", show.Stdout);
        var member = Assert.Single(view.GetProperty("members").EnumerateArray());
        Assert.Equal("Up", member.GetProperty("status").GetString());
        Assert.Equal(self, status.GetProperty("address").GetString());
        Assert.Equal(self, leader.GetProperty("leader").GetString());
    }

    [Fact]
    public async Task Users_show_and_connections_list_find_a_connected_user()
    {
        var carol = Unique("carol");
        await using var client = await Client.ConnectAsync(Server.WebSocketUri($"user_id={carol}"));

        var user = await JsonOfAsync("users", "show", carol);
        var page = await JsonOfAsync("connections", "list", "--user", carol);
        var table = await Sbctl.RunAsync(Against("connections", "list", "--user", carol));

        Assert.Equal(carol, user.GetProperty("user_id").GetString());
        var connection = Assert.Single(user.GetProperty("connections").EnumerateArray());
        Assert.Equal(client.ConnectionId, connection.GetProperty("connection_id").GetString());
        Assert.Equal(client.ConnectionId, Assert.Single(page.GetProperty("connections").EnumerateArray()).GetProperty("connection_id").GetString());
        Assert.Equal(JsonValueKind.Null, page.GetProperty("next").ValueKind);
        Assert.Contains(client.ConnectionId, table.Stdout);
    }

    [Fact]
    public async Task Connections_list_follows_next_until_its_limit()
    {
        var dave = Unique("dave");
        var clients = new List<Client>();
        try
        {
            for (var i = 0; i < 3; i++)
                clients.Add(await Client.ConnectAsync(Server.WebSocketUri($"user_id={dave}")));

            var two = await JsonOfAsync("connections", "list", "--user", dave, "--limit", "2");
            var all = await JsonOfAsync("connections", "list", "--user", dave);

            Assert.Equal(2, two.GetProperty("connections").GetArrayLength());
            Assert.Equal(3, all.GetProperty("connections").GetArrayLength());
        }
        finally
        {
            foreach (var c in clients)
                await c.DisposeAsync();
        }
    }

    [Fact]
    public async Task Groups_list_and_show_find_a_joined_group()
    {
        var group = Unique("lobby");
        var erin = Unique("erin");
        await using var client = await Client.ConnectAsync(Server.WebSocketUri($"user_id={erin}&groups={group}"));
        await Eventually.TrueAsync(async () => (await Sbctl.RunAsync(Against("groups", "show", group))).ExitCode == 0, "the group is known");

        var shown = await JsonOfAsync("groups", "show", group);
        var listed = await JsonOfAsync("groups", "list");

        Assert.Equal(erin, Assert.Single(shown.GetProperty("members").EnumerateArray()).GetProperty("user_id").GetString());
        Assert.Contains(listed.GetProperty("groups").EnumerateArray(), g => g.GetProperty("group").GetString() == group);
    }

    [Fact]
    public async Task A_user_without_connections_shows_none()
    {
        var nobody = Unique("nobody");
        var run = await Sbctl.RunAsync(Against("users", "show", nobody));

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"{nobody}: 0 connections", run.Stdout);
    }

    [Fact]
    public async Task Kick_closes_the_users_connection()
    {
        var frank = Unique("frank");
        await using var client = await Client.ConnectAsync(Server.WebSocketUri($"user_id={frank}"));

        var result = await JsonOfAsync("kick", "--user", frank, "--reason", "maintenance");

        Assert.Equal(1, result.GetProperty("closed").GetInt32());
        Assert.NotNull(await client.ReceiveCloseAsync());
    }

    [Fact]
    public async Task Sharding_regions_and_their_stats()
    {
        var regions = await JsonOfAsync("cluster-sharding", "regions");
        var region = regions.GetProperty("regions").EnumerateArray().First().GetString()!;

        var stats = await JsonOfAsync("cluster-sharding", "region-stats", "-r", region);
        var shards = await JsonOfAsync("cluster-sharding", "shard-stats", "-r", region);

        Assert.Equal(region, stats.GetProperty("region").GetString());
        Assert.Equal(region, shards.GetProperty("region").GetString());
    }

    [Fact]
    public async Task Actor_hierarchy_is_a_tree_from_the_start_path()
    {
        var tree = await JsonOfAsync("actor", "hierarchy", "-s", "/user", "-d", "1");
        var drawn = await Sbctl.RunAsync(Against("actor", "hierarchy", "-s", "/user", "-d", "1"));

        Assert.EndsWith("/user", tree.GetProperty("path").GetString());
        Assert.True(drawn.ExitCode == 0, drawn.ToString());
        Assert.Contains("user", drawn.Stdout);
    }

    [Fact]
    public async Task Ratelimit_show_on_a_node_without_the_limiter_exits_1_with_the_nodes_message()
    {
        var run = await Sbctl.RunAsync(Against("ratelimit", "show"));

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("not_configured", run.Stderr);
    }

    [Fact]
    public async Task Top_json_writes_one_sample_a_line_with_this_node()
    {
        await using var top = SbctlStream.Start(Against("top", "--json"));

        var first = await top.ReadJsonLineAsync();
        var second = await top.ReadJsonLineAsync();

        Assert.Contains(first.GetProperty("nodes").EnumerateArray(), n => n.GetProperty("node").GetString() == Server.Hub.Node);
        Assert.Equal(JsonValueKind.Object, second.GetProperty("totals").ValueKind);
    }

    [Fact]
    public async Task Top_in_a_terminal_shows_the_node_and_q_leaves_it()
    {
        await using var terminal = await Tmux.StartAsync(Sbctl.CommandLine(Against("top")));
        await terminal.WaitForTextAsync(Server.Hub.Node);
        await terminal.WaitForTextAsync("total");

        await terminal.KeysAsync("q");

        Assert.Equal(0, await terminal.ExitCodeAsync());
    }

    [Fact]
    public async Task Ctrl_c_ends_cluster_tail_and_the_prompt_stays()
    {
        await using var terminal = await Tmux.StartAsync(Sbctl.CommandLine(["--node", Server.BaseUri.ToString(), "--key", KeyedServerFixture.Operator]));
        await terminal.WaitForTextAsync("sbctl 127.0.0.1:");

        await terminal.TypeLineAsync("cluster tail");
        await terminal.WaitForTextAsync("Ctrl+C to stop");
        await terminal.KeysAsync("C-c");
        await terminal.TypeLineAsync("cluster leader");
        await terminal.WaitForTextAsync("akka.tcp://");
        await terminal.TypeLineAsync("exit");

        Assert.Equal(0, await terminal.ExitCodeAsync());
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Switchboard.IntegrationTests.Support;

namespace Switchboard.IntegrationTests;

/// <summary>
/// The real sbctl against a real node with API keys, on the routes that exist today (stats, message, broadcast):
/// tables and --json, exit statuses, the node's refusals on stderr.
/// </summary>
public sealed class SbctlTests(KeyedServerFixture keyed) : IClassFixture<KeyedServerFixture>
{
    private SwitchboardServer Server => keyed.Server;

    private string[] Against(params string[] args) =>
        ["--node", Server.BaseUri.ToString(), "--key", KeyedServerFixture.Operator, .. args];

    private static string Unique(string name) => $"{name}-{Guid.NewGuid():N}"[..20];

    [Theory]
    [InlineData("--help")]
    [InlineData("cluster", "--help")]
    [InlineData("cluster", "show", "--help")]
    [InlineData("connections", "list", "--help")]
    [InlineData("send", "--help")]
    [InlineData("top", "-h")]
    public async Task Help_is_printed_and_exits_0(params string[] args)
    {
        var run = await Sbctl.RunAsync(args);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Usage:", run.Stdout);
        Assert.Equal("", run.Stderr);
    }

    [Theory]
    [InlineData("cluster")]                                            // a palette without its command
    [InlineData("no-such-command")]
    [InlineData("send", "--type", "chat")]                             // neither --to nor --group
    [InlineData("send", "--to", "a", "--group", "b", "--type", "chat")] // both
    [InlineData("send", "--to", "a")]                                  // --type is required
    [InlineData("send", "--to", "a", "--type", "chat", "--data", "{not json")]
    [InlineData("kick")]
    [InlineData("connections", "list", "--limit", "0")]
    [InlineData("cluster-sharding", "region-stats")]                   // -r is required
    [InlineData("ratelimit", "set", "--rate", "10/s", "--route", "no-equals-sign")]
    [InlineData("stats", "--node", "not a url")]
    public async Task A_usage_error_exits_2_with_the_reason_on_stderr_and_nothing_on_stdout(params string[] args)
    {
        var run = await Sbctl.RunAsync(Against(args));

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.StartsWith("sbctl: ", run.Stderr);
        Assert.Equal("", run.Stdout);
    }

    [Fact]
    public async Task Stats_shows_the_nodes_figures_as_a_table()
    {
        var run = await Sbctl.RunAsync(Against("stats"));

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains(Server.Hub.Node, run.Stdout);
        Assert.Contains("max_connections", run.Stdout);
        Assert.Contains("uptime_seconds", run.Stdout);
    }

    [Fact]
    public async Task Stats_json_is_the_nodes_own_document()
    {
        var run = await Sbctl.RunAsync(Against("stats", "--json"));

        Assert.True(run.ExitCode == 0, run.ToString());
        var stats = run.Json();
        Assert.Equal(Server.Hub.Node, stats.GetProperty("node").GetString());
        Assert.Equal(JsonValueKind.Number, stats.GetProperty("connections").ValueKind);
        Assert.False(stats.TryGetProperty("scope", out _));
    }

    [Fact]
    public async Task Stats_cluster_lists_every_member_in_the_table_and_in_json()
    {
        var table = await Sbctl.RunAsync(Against("stats", "--cluster"));
        var json = await Sbctl.RunAsync(Against("stats", "--cluster", "--json"));

        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains("delivered", table.Stdout);
        Assert.Contains(Server.Hub.Node, table.Stdout);
        Assert.True(json.ExitCode == 0, json.ToString());
        var stats = json.Json();
        Assert.Equal("cluster", stats.GetProperty("scope").GetString());
        var node = Assert.Single(stats.GetProperty("nodes").EnumerateArray());
        Assert.Equal(Server.Hub.Node, node.GetProperty("node").GetString());
    }

    [Fact]
    public async Task The_key_can_come_from_SBCTL_KEY_and_the_node_from_SBCTL_NODE()
    {
        var run = await Sbctl.RunAsync(["stats", "--json"], new Dictionary<string, string>
        {
            ["SBCTL_NODE"] = Server.BaseUri.ToString(),
            ["SBCTL_KEY"] = KeyedServerFixture.Operator,
        });

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(Server.Hub.Node, run.Json().GetProperty("node").GetString());
    }

    [Theory]
    [InlineData("a-key-the-node-never-issued-0123")]
    [InlineData(null)]
    public async Task A_refused_key_exits_1_with_the_nodes_message_on_stderr(string? key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/ws/stats");
        if (key is not null)
            request.Headers.Authorization = new("Bearer", key);
        using var direct = await Server.Http.SendAsync(request);
        var refusal = await direct.Content.ReadFromJsonAsync<JsonElement>();
        string[] args = ["stats", "--json", "--node", Server.BaseUri.ToString(), .. key is null ? Array.Empty<string>() : ["--key", key]];

        var run = await Sbctl.RunAsync(args);

        Assert.Equal(HttpStatusCode.Unauthorized, direct.StatusCode);
        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains(refusal.GetProperty("message").GetString()!, run.Stderr);
        Assert.Contains(refusal.GetProperty("error").GetString()!, run.Stderr);
        Assert.Equal("", run.Stdout);
    }

    [Fact]
    public async Task A_key_without_the_scope_is_refused_with_the_nodes_message()
    {
        var run = await Sbctl.RunAsync("send", "--to", "someone", "--type", "chat", "--node", Server.BaseUri.ToString(),
            "--key", KeyedServerFixture.Reader);

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("forbidden", run.Stderr);
    }

    [Fact]
    public async Task A_node_that_cannot_be_reached_exits_1()
    {
        var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();

        var run = await Sbctl.RunAsync("stats", "--node", $"http://127.0.0.1:{port}");

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("cannot reach", run.Stderr);
    }

    [Theory]
    [InlineData("/ws")]
    [InlineData("ws/")]
    public async Task The_prefix_is_where_the_hub_is_mapped(string prefix)
    {
        var run = await Sbctl.RunAsync(Against("stats", "--json", "--prefix", prefix));

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(Server.Hub.Node, run.Json().GetProperty("node").GetString());
    }

    [Theory]
    [InlineData("stats")]
    [InlineData("top")]
    [InlineData("cluster", "tail")]
    public async Task A_prefix_where_no_hub_is_mapped_exits_1_with_the_status(params string[] command)
    {
        var run = await Sbctl.RunAsync(Against([.. command, "--prefix", "/no-hub-here"]));

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("HTTP 404", run.Stderr);
        Assert.Equal("", run.Stdout);
    }

    [Fact]
    public async Task Send_to_a_user_reaches_its_connection()
    {
        var bob = Unique("bob");
        await using var client = await Client.ConnectAsync(Server.WebSocketUri($"user_id={bob}"));

        var run = await Sbctl.RunAsync(Against("send", "--to", bob, "--type", "chat", "--data", """{"text":"hello from sbctl"}""", "--json"));

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.True(run.Json().GetProperty("accepted").GetBoolean());
        var message = await client.ReceiveAsync();
        Assert.Equal("chat", message.GetProperty("type").GetString());
        Assert.Equal("hello from sbctl", message.GetProperty("data").GetProperty("text").GetString());
        Assert.Equal("server", message.GetProperty("from").GetString());
        Assert.Equal(bob, message.GetProperty("to").GetString());
    }

    [Fact]
    public async Task Send_to_a_group_reaches_its_members()
    {
        var group = Unique("room");
        await using var client = await Client.ConnectAsync(Server.WebSocketUri($"user_id={Unique("member")}&groups={group}"));
        await Eventually.TrueAsync(async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/ws/groups/{group}");
            request.Headers.Authorization = new("Bearer", KeyedServerFixture.Operator);
            return (await Server.Http.SendAsync(request)).IsSuccessStatusCode;
        }, "the group has its member");

        var run = await Sbctl.RunAsync(Against("send", "--group", group, "--type", "notice", "--data", "\"to the room\""));

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("accepted", run.Stdout);
        var message = await client.ReceiveAsync();
        Assert.Equal("notice", message.GetProperty("type").GetString());
        Assert.Equal("to the room", message.GetProperty("data").GetString());
        Assert.Equal(group, message.GetProperty("group").GetString());
    }

    [Fact]
    public async Task Broadcast_reaches_a_connection()
    {
        await using var client = await Client.ConnectAsync(Server.WebSocketUri($"user_id={Unique("anyone")}"));
        var marker = Guid.NewGuid().ToString("N");

        var run = await Sbctl.RunAsync(Against("broadcast", "--type", "announcement", "--data", $$"""{"marker":"{{marker}}"}""", "--json"));

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.True(run.Json().GetProperty("accepted").GetBoolean());
        // Other tests of this class may broadcast too: read until this run's marker.
        while (true)
        {
            var message = await client.ReceiveAsync();
            if (message.GetProperty("type").GetString() == "announcement" &&
                message.GetProperty("data").TryGetProperty("marker", out var got) && got.GetString() == marker)
                break;
        }
    }
}

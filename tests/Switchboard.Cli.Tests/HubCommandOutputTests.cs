using System.Text.Json;
using Switchboard.Cli.Tests.Support;
using Switchboard.Contracts;

namespace Switchboard.Cli.Tests;

/// <summary>The hub's commands (stats, connections, users, groups, kick, send, drain, ratelimit, top): tables and JSON.</summary>
public sealed class HubCommandOutputTests : WithLoopbackNode
{
    private static readonly DateTimeOffset At = new(2026, 5, 6, 7, 8, 9, TimeSpan.Zero);

    private static ConnectionInfo Connection(string id, string user = "ann") =>
        new(id, user, "n1:4053", "10.0.0.9:50000", At, ["lobby", "ops"], MessagesIn: 12, MessagesOut: 34, OutboxDepth: 5);

    [Fact]
    public async Task Stats_draws_every_figure_and_one_level_into_objects()
    {
        Node.On("GET", "/ws/stats", c => LoopbackNode.WriteJsonAsync(c, JsonDocument.Parse("""
            {"node":"n1","connections":3,"errors":{"invalid_json":2,"deep":{"hidden":1}},"groups_list":["a"]}
            """).RootElement));

        var run = await SbctlAsync("stats");

        Assert.Equal(["node", "n1"], TableRow.Cells(run.Line(" node ")));
        Assert.Equal(["connections", "3"], TableRow.Cells(run.Line("connections")));
        Assert.Equal(["errors.invalid_json", "2"], TableRow.Cells(run.Line("errors.invalid_json")));
        Assert.DoesNotContain("hidden", run.Rendered);
        Assert.DoesNotContain("groups_list", run.Rendered);
    }

    [Fact]
    public async Task Stats_cluster_adds_a_row_a_member_and_names_those_that_did_not_answer()
    {
        Node.On("GET", "/ws/stats", c => LoopbackNode.WriteJsonAsync(c, JsonDocument.Parse("""
            {"scope":"cluster","connections":7,
             "nodes":[{"node":"n1","connections":3,"delivered":10},{"node":"n2","connections":4,"delivered":20}],
             "unreachable":["n3"]}
            """).RootElement));

        var run = await SbctlAsync("stats", "--cluster");

        var n2 = TableRow.Cells(run.Line(" n2 "));
        Assert.Equal(["n2", "4", "20"], n2);
        Assert.Contains("no answer from n3", run.Rendered);
    }

    [Fact]
    public async Task Stats_cluster_says_its_groups_figure_is_a_sum_of_the_nodes_counts_not_a_count_of_groups()
    {
        // Five groups, each with members on all three nodes: every node counts 5, the sum is 15.
        Node.On("GET", "/ws/stats", c => LoopbackNode.WriteJsonAsync(c, JsonDocument.Parse("""
            {"scope":"cluster","connections":30,"groups":15,
             "nodes":[{"node":"n1","groups":5},{"node":"n2","groups":5},{"node":"n3","groups":5}],"unreachable":[]}
            """).RootElement));

        var cluster = await SbctlAsync("stats", "--cluster");

        Assert.Equal(["groups (sum of per-node counts)", "15"], TableRow.Cells(cluster.Line("groups (")));
        Assert.Equal(["n1", "5"], TableRow.Cells(cluster.Line(" n1 ")));
    }

    [Fact]
    public async Task Stats_of_one_node_keeps_the_plain_groups_label()
    {
        Node.On("GET", "/ws/stats", c => LoopbackNode.WriteJsonAsync(c, JsonDocument.Parse("""
            {"node":"n1","groups":5}
            """).RootElement));

        var run = await SbctlAsync("stats");

        Assert.Equal(["groups", "5"], TableRow.Cells(run.Line(" groups ")));
        Assert.DoesNotContain("sum of", run.Rendered);
    }

    [Fact]
    public async Task Stats_json_is_the_nodes_document_unchanged()
    {
        const string document = """{"node":"n1","connections":3,"Odd_Case":{"x":[1,2]},"scope":null}""";
        Node.On("GET", "/ws/stats", c => Microsoft.AspNetCore.Http.HttpResponseWritingExtensions.WriteAsync(c.Response, document));

        var run = await SbctlAsync("stats", "--json");

        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(System.Text.Json.Nodes.JsonNode.Parse(document),
            System.Text.Json.Nodes.JsonNode.Parse(run.Stdout)), run.Stdout);
    }

    [Fact]
    public async Task Connections_list_draws_a_row_a_connection_and_the_count()
    {
        Node.Answer("GET", "/ws/admin/connections", new ConnectionPage([Connection("c-1"), Connection("c-2", "bob")], null, []));

        var run = await SbctlAsync("connections", "list");

        Assert.Equal(["c-1", "ann", "n1:4053", "10.0.0.9:50000", "2026-05-06 07:08:09Z", "lobby,ops", "12", "34", "5"],
            TableRow.Cells(run.Line("c-1")));
        Assert.Contains("bob", run.Line("c-2"));
        Assert.EndsWith("2 connections\n", run.Rendered);
    }

    [Fact]
    public async Task Connections_list_stopped_by_its_limit_says_there_are_more()
    {
        Node.Answer("GET", "/ws/admin/connections", new ConnectionPage([Connection("c-1")], "c-1", []));

        var run = await SbctlAsync("connections", "list", "--limit", "1");

        Assert.EndsWith("1 connection (more: raise --limit)\n", run.Rendered);
    }

    [Fact]
    public async Task Connections_list_json_is_one_page_holding_every_page_read()
    {
        Node.On("GET", "/ws/admin/connections", c => c.Request.Query["after"].ToString() switch
        {
            "" => LoopbackNode.WriteJsonAsync(c, new ConnectionPage([Connection("c-1")], "c-1", ["n3"])),
            _ => LoopbackNode.WriteJsonAsync(c, new ConnectionPage([Connection("c-2")], null, [])),
        });

        var run = await SbctlAsync("connections", "list", "--json");

        JsonAssert.SameAs(new ConnectionPage([Connection("c-1"), Connection("c-2")], null, ["n3"]), run.Stdout);
    }

    [Fact]
    public async Task Users_show_draws_the_users_connections_and_its_stream()
    {
        Node.Answer("GET", "/ws/admin/users/ann", new UserView("ann", [Connection("c-1")], [], new StreamView("e1", 42, 40)));

        var run = await SbctlAsync("users", "show", "ann");

        Assert.StartsWith("ann: 1 connection\nstream: epoch e1, seq 42, delivered_seq 40\n", run.Rendered);
        Assert.Contains("lobby,ops", run.Line("c-1"));
    }

    [Fact]
    public async Task Users_show_without_history_has_no_stream_line()
    {
        Node.Answer("GET", "/ws/admin/users/ann", new UserView("ann", [], []));

        var run = await SbctlAsync("users", "show", "ann");

        Assert.DoesNotContain("stream:", run.Rendered);
    }

    [Fact]
    public async Task Groups_list_and_show_draw_their_members()
    {
        Node.Answer("GET", "/ws/admin/groups", new GroupPage([new GroupSummary("lobby", 2, 3)], null, []));
        Node.Answer("GET", "/ws/admin/groups/lobby", new GroupView("lobby", 3, [new GroupMember("ann", 2), new GroupMember("bob", 1)], new StreamView("e2", 9)));

        var list = await SbctlAsync("groups", "list");
        var show = await SbctlAsync("groups", "show", "lobby");

        Assert.Equal(["lobby", "2", "3"], TableRow.Cells(list.Line("lobby")));
        Assert.EndsWith("1 group\n", list.Rendered);
        Assert.StartsWith("lobby: 2 members, 3 connections\nstream: epoch e2, seq 9\n", show.Rendered);
        Assert.Equal(["ann", "2"], TableRow.Cells(show.Line(" ann ")));
    }

    [Fact]
    public async Task Groups_show_draws_the_presence_counts_under_the_stream_and_json_carries_them()
    {
        var view = new GroupView("lobby", 3, [new GroupMember("ann", 2), new GroupMember("bob", 1)], new StreamView("e2", 9),
            new PresenceCounts(2, 3));
        Node.Answer("GET", "/ws/admin/groups/lobby", view);

        var show = await SbctlAsync("groups", "show", "lobby");
        var json = await SbctlAsync("groups", "show", "lobby", "--json");

        Assert.StartsWith("lobby: 2 members, 3 connections\nstream: epoch e2, seq 9\npresence: 2 users, 3 connections\n", show.Rendered);
        Assert.Equal(["ann", "2"], TableRow.Cells(show.Line(" ann ")));
        JsonAssert.SameAs(view, json.Stdout);
    }

    [Fact]
    public async Task Groups_show_says_presence_is_off_when_the_groups_namespace_keeps_none()
    {
        var view = new GroupView("lobby", 1, [new GroupMember("ann", 1)]);
        Node.Answer("GET", "/ws/admin/groups/lobby", view);

        var show = await SbctlAsync("groups", "show", "lobby");
        var json = await SbctlAsync("groups", "show", "lobby", "--json");

        Assert.StartsWith("lobby: 1 member, 1 connection\npresence: off\n", show.Rendered);
        JsonAssert.SameAs(view, json.Stdout);
    }

    [Theory]
    [InlineData(1, new[] { "n1:4053" }, "closed 1 connection on n1:4053")]
    [InlineData(3, new[] { "n1:4053", "n2:4054" }, "closed 3 connections on n1:4053, n2:4054")]
    [InlineData(0, new string[0], "closed 0 connections")]
    public async Task Kick_says_how_many_it_closed_and_where(int closed, string[] nodes, string said)
    {
        Node.Answer("POST", "/ws/admin/kick", new KickResult(closed, nodes, []));

        var run = await SbctlAsync("kick", "--user", "ann");

        Assert.Equal(said + "\n", run.Rendered);
    }

    [Theory]
    [InlineData("send", "--to", "ann", "--type", "chat")]
    [InlineData("broadcast", "--type", "announcement")]
    public async Task A_message_accepted_says_so_and_json_is_the_nodes_answer(string command, params string[] rest)
    {
        var path = command == "send" ? "/ws/message" : "/ws/broadcast";
        Node.On("POST", path, c => Microsoft.AspNetCore.Http.HttpResponseWritingExtensions.WriteAsync(c.Response, """{"accepted":true,"id":"m-1"}"""));

        var table = await SbctlAsync([command, .. rest]);
        var json = await SbctlAsync([command, .. rest, "--json"]);

        Assert.Equal("accepted\n", table.Rendered);
        JsonAssert.SameAs(new { accepted = true, id = "m-1" }, json.Stdout);
    }

    [Fact]
    public async Task Node_drain_prints_the_nodes_message()
    {
        Node.Answer("POST", "/ws/admin/nodes/drain", new ActionResult(true, "n2 is draining"));

        var run = await SbctlAsync("node", "drain", "n2");

        Assert.Equal("n2 is draining\n", run.Rendered);
    }

    [Fact]
    public async Task Ratelimit_show_draws_the_default_then_each_route_in_order()
    {
        Node.Answer("GET", "/ws/admin/ratelimit", new RateLimitView(null, new Dictionary<string, string> { ["/ws/message"] = "10-S", ["/ws/broadcast"] = "1-M" }));

        var run = await SbctlAsync("ratelimit", "show");

        var rows = run.Rendered.Split('\n').Where(l => l.Contains("(default)") || l.Contains("/ws/")).Select(TableRow.Cells).ToList();
        Assert.Equal([["(default)", "unlimited"], ["/ws/broadcast", "1-M"], ["/ws/message", "10-S"]], rows);
    }

    [Fact]
    public async Task Top_json_writes_a_sample_a_line()
    {
        var node = new NodeTop("n1:4053", "Up", 3, 1.5, 2.5, 3.5, 0, 0, 12.5, 64L << 20);
        var samples = new[] { new TopSample(At, [node], node, []), new TopSample(At.AddSeconds(1), [node], node, ["n2"]) };
        Node.On("GET", "/ws/admin/top", c => LoopbackNode.WriteEventsAsync(c, [.. samples.Select(s => JsonSerializer.Serialize(s, AdminJson.Options))]));

        var run = await SbctlAsync("top", "--json");

        var lines = run.Stdout.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        JsonAssert.SameAs(samples[0], lines[0]);
        JsonAssert.SameAs(samples[1], lines[1]);
    }
}

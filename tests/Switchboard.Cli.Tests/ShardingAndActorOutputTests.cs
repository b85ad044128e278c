using Switchboard.Cli.Tests.Support;
using Switchboard.Contracts;

namespace Switchboard.Cli.Tests;

/// <summary>cluster-sharding and actor hierarchy: regions, their spread over nodes, and the actor tree.</summary>
public sealed class ShardingAndActorOutputTests : WithLoopbackNode
{
    [Fact]
    public async Task Regions_prints_one_region_a_line()
    {
        Node.Answer("GET", "/ws/admin/sharding/regions", new RegionsView(["user", "group"]));

        var run = await SbctlAsync("cluster-sharding", "regions");

        Assert.Equal("user\ngroup\n", run.Rendered);
    }

    [Fact]
    public async Task Region_stats_draws_a_row_a_node_and_their_total()
    {
        var view = new RegionStatsView("user", [new NodeRegionStats("n1:4053", 3, 40), new NodeRegionStats("n2:4054", 2, 5)], []);
        Node.Answer("GET", "/ws/admin/sharding/regions/user/stats", view);

        var run = await SbctlAsync("cluster-sharding", "region-stats", "-r", "user");

        Assert.Equal(["n1:4053", "3", "40"], TableRow.Cells(run.Line("n1:4053")));
        Assert.Equal(["n2:4054", "2", "5"], TableRow.Cells(run.Line("n2:4054")));
        Assert.Equal(["total", "5", "45"], TableRow.Cells(run.Line("total")));
    }

    [Fact]
    public async Task Region_stats_json_is_the_nodes_view_with_its_missing_nodes()
    {
        var view = new RegionStatsView("user", [new NodeRegionStats("n1:4053", 3, 40)], ["n2:4054"]);
        Node.Answer("GET", "/ws/admin/sharding/regions/user/stats", view);

        var run = await SbctlAsync("cluster-sharding", "region-stats", "--region", "user", "--json");

        JsonAssert.SameAs(view, run.Stdout);
        Assert.Equal("", run.Stderr); // in JSON, missing_nodes says it
    }

    [Fact]
    public async Task Shard_stats_draws_a_row_a_shard_on_each_node()
    {
        var view = new ShardStatsView("group",
            [new NodeShardStats("n1:4053", [new ShardEntities("7", 12), new ShardEntities("9", 1)]), new NodeShardStats("n2:4054", [])], []);
        Node.Answer("GET", "/ws/admin/sharding/regions/group/shards", view);

        var run = await SbctlAsync("cluster-sharding", "shard-stats", "-r", "group");

        Assert.Equal(["n1:4053", "7", "12"], TableRow.Cells(run.Line(" 7 ")));
        Assert.Equal(["n1:4053", "9", "1"], TableRow.Cells(run.Line(" 9 ")));
        Assert.DoesNotContain("n2:4054", run.Rendered);
    }

    [Fact]
    public async Task Actor_hierarchy_draws_the_tree_with_each_path_below_its_parent()
    {
        var root = new ActorNode("/user", [
            new ActorNode("/user/sharding", [new ActorNode("/user/sharding/user", [])]),
            new ActorNode("/user/$a[1]", []),  // brackets are drawn, not read as markup
        ]);
        Node.Answer("GET", "/ws/admin/actors", root);

        var run = await SbctlAsync("actor", "hierarchy");

        var lines = run.Rendered.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("/user", lines[0]);
        Assert.EndsWith("/user/sharding", lines[1]);
        Assert.EndsWith("/user/sharding/user", lines[2]);
        Assert.EndsWith("/user/$a[1]", lines[3]);
        // A child is indented further than its parent.
        Assert.True(Indent(lines[2]) > Indent(lines[1]), run.Rendered);
        Assert.Equal(Indent(lines[1]), Indent(lines[3]));
    }

    [Fact]
    public async Task Actor_hierarchy_json_is_the_nodes_tree()
    {
        var root = new ActorNode("/user", [new ActorNode("/user/a", [])]);
        Node.Answer("GET", "/ws/admin/actors", root);

        var run = await SbctlAsync("actor", "hierarchy", "--json");

        JsonAssert.SameAs(root, run.Stdout);
    }

    private static int Indent(string line) => line.IndexOf('/');
}

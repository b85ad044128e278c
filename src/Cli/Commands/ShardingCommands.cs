using System.CommandLine;
using Spectre.Console;
using Switchboard.Contracts;

namespace Switchboard.Cli.Commands;

/// <summary>The <c>cluster-sharding</c> palette: which regions run, and how their shards and entities spread over nodes.</summary>
public static class ShardingCommands
{
    public static Command Create(CommandActions actions)
    {
        var sharding = new Command("cluster-sharding", "sharded entity regions");

        var regions = new Command("regions", "the sharding regions this node knows");
        actions.Bind(regions, async (c, cancel) =>
        {
            var view = await c.Client.GetAsync<RegionsView>(AdminRoutes.Regions, cancel);
            c.Output.Write(view, console =>
            {
                foreach (var region in view.Regions)
                    console.WriteLine(region);
            });
        });

        var regionOption = RegionOption();
        var regionStats = new Command("region-stats", "shards and entities of a region, per node") { regionOption };
        actions.Bind(regionStats, async (c, cancel) =>
        {
            var view = await c.Client.GetAsync<RegionStatsView>(RegionRoute(AdminRoutes.RegionStats, c.Value(regionOption)), cancel);
            c.Output.Write(view, console =>
            {
                var table = Output.Table("node", "shards", "entities");
                foreach (var node in view.Nodes)
                    table.AddRow(Output.Escape(node.Node), node.Shards.ToString(), node.Entities.ToString());
                table.AddRow("[bold]total[/]", view.Nodes.Sum(n => n.Shards).ToString(), view.Nodes.Sum(n => n.Entities).ToString());
                console.Write(table);
            });
            c.Output.Missing(view);
        });

        var shardRegion = RegionOption();
        var shardStats = new Command("shard-stats", "entities of every shard of a region, per node") { shardRegion };
        actions.Bind(shardStats, async (c, cancel) =>
        {
            var view = await c.Client.GetAsync<ShardStatsView>(RegionRoute(AdminRoutes.ShardStats, c.Value(shardRegion)), cancel);
            c.Output.Write(view, console =>
            {
                var table = Output.Table("node", "shard", "entities");
                foreach (var node in view.Nodes)
                foreach (var shard in node.Shards)
                    table.AddRow(Output.Escape(node.Node), Output.Escape(shard.ShardId), shard.Entities.ToString());
                console.Write(table);
            });
            c.Output.Missing(view);
        });

        sharding.Add(regions);
        sharding.Add(regionStats);
        sharding.Add(shardStats);
        return sharding;
    }

    private static Option<string> RegionOption() =>
        new("--region", "-r") { Description = "the region's type name", HelpName = "TYPE", Required = true };

    private static string RegionRoute(string route, string region) => route.Replace("{region}", Uri.EscapeDataString(region));
}

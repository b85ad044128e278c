using System.CommandLine;
using System.Text.Json;
using Spectre.Console;

namespace Switchboard.Cli.Commands;

/// <summary><c>stats [--cluster]</c>: the existing <c>GET /stats</c>, this node's figures or every Up member's.</summary>
public static class StatsCommand
{
    // The figures worth a column when every node is a row; the rest are in --json.
    private static readonly string[] NodeColumns =
        ["connections", "users", "groups", "messages_in", "messages_out", "delivered", "dropped", "closed_slow", "uptime_seconds"];

    // In the cluster's sums, the figures that are not a count of distinct things: a node counts the groups with members on
    // it, so a group with members on three nodes is in three nodes' counts. The sum says so rather than pass for a total.
    private static readonly Dictionary<string, string> ClusterLabels = new(StringComparer.Ordinal)
    {
        ["groups"] = "groups (sum of per-node counts)",
    };

    public static Command Create(CommandActions actions)
    {
        var cluster = new Option<bool>("--cluster") { Description = "sum every Up member and list each one" };
        var stats = new Command("stats", "the node's counters (GET /stats)") { cluster };
        actions.Bind(stats, async (c, cancel) =>
        {
            var body = await c.Client.GetAsync<JsonElement>("/stats", cancel, ("scope", c.Value(cluster) ? "cluster" : null));
            c.Output.Write(body, console =>
            {
                console.Write(Figures(body, IsCluster(body) ? ClusterLabels : null));
                if (body.TryGetProperty("nodes", out var nodes) && nodes.ValueKind == JsonValueKind.Array)
                    console.Write(PerNode(nodes));
                if (body.TryGetProperty("unreachable", out var silent) && silent.GetArrayLength() > 0)
                    console.MarkupLine($"[yellow]no answer from[/] {Output.Escape(string.Join(", ", silent.EnumerateArray().Select(s => s.GetString())))}");
            });
        });
        return stats;
    }

    // Every scalar at the top and one level into objects (errors, rate_limit, group), as name/value rows.
    private static Table Figures(JsonElement body, IReadOnlyDictionary<string, string>? labels)
    {
        var table = Output.Table("figure", "value");
        foreach (var property in body.EnumerateObject())
        {
            if (property.Value.ValueKind == JsonValueKind.Object)
            {
                foreach (var inner in property.Value.EnumerateObject().Where(p => IsScalar(p.Value)))
                    table.AddRow(Output.Escape($"{property.Name}.{inner.Name}"), Output.Escape(inner.Value.ToString()));
            }
            else if (IsScalar(property.Value))
            {
                var label = labels is not null && labels.TryGetValue(property.Name, out var l) ? l : property.Name;
                table.AddRow(Output.Escape(label), Output.Escape(property.Value.ToString()));
            }
        }
        return table;
    }

    private static Table PerNode(JsonElement nodes)
    {
        var table = Output.Table(["node", .. NodeColumns]);
        foreach (var node in nodes.EnumerateArray())
        {
            table.AddRow([
                Output.Escape(node.TryGetProperty("node", out var name) ? name.ToString() : ""),
                .. NodeColumns.Select(column => node.TryGetProperty(column, out var value) ? value.ToString() : ""),
            ]);
        }
        return table;
    }

    private static bool IsCluster(JsonElement body) =>
        body.TryGetProperty("scope", out var scope) && scope.ValueKind == JsonValueKind.String && scope.GetString() == "cluster";

    private static bool IsScalar(JsonElement value) => value.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array);
}

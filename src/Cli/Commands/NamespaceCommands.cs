using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Switchboard.Contracts;

namespace Switchboard.Cli.Commands;

/// <summary>
/// <c>namespaces list</c> and <c>namespaces show</c>: the namespace table each node has loaded, and where nodes disagree.
/// Read only: namespaces are set in each node's configuration (docs/namespaces.md).
/// </summary>
public static class NamespaceCommands
{
    // The groups outside every configured namespace; parentheses cannot be part of a namespace's name.
    public const string DefaultRow = "(default)";
    public const string Differs = "differs";

    private static readonly string[] OptionColumns =
        ["history size", "history ttl", "presence", "presence events", "client publish", "join hook", "publish hook", "max members"];

    public static Command Create(CommandActions actions)
    {
        var list = new Command("list", "every node's fingerprint and namespaces, a row per namespace; nodes that disagree are marked");
        actions.Bind(list, async (c, cancel) =>
        {
            var view = await c.Client.GetAsync<NamespacesView>(AdminRoutes.Namespaces, cancel);
            c.Output.Write(view, console =>
            {
                console.Write(Nodes(view));
                console.Write(Namespaces(view));
                console.MarkupLine(view.Nodes.Count == 0 ? "no node answered"
                    : view.Agree ? $"every node has fingerprint {Output.Escape(view.Nodes[0].Fingerprint)} ({Output.Count(view.Nodes.Count, "node")})"
                    : $"[red]nodes disagree[/]: {Output.Count(view.Nodes.Select(n => n.Fingerprint).Distinct().Count(), "fingerprint")} " +
                      $"among {Output.Count(view.Nodes.Count, "node")}");
            });
            c.Output.Missing(view);
        });

        var name = new Argument<string>("NAMESPACE") { Description = "the namespace's name, as in Namespaces:Rules:<name>" };
        var show = new Command("show", "a namespace's options on each node; nodes that disagree are marked") { name };
        actions.Bind(show, async (c, cancel) =>
        {
            var route = AdminRoutes.Namespace.Replace("{name}", Uri.EscapeDataString(c.Value(name)));
            var view = await c.Client.GetAsync<NamespaceView>(route, cancel);
            c.Output.Write(view, console =>
            {
                console.Write(Show(view));
                console.MarkupLine(view.Agree
                    ? $"{Output.Escape(view.Name)}: the same on every node ({Output.Count(view.Nodes.Count, "node")})"
                    : $"[red]nodes disagree[/] on {Output.Escape(view.Name)}");
            });
            c.Output.Missing(view);
        });
        return new Command("namespaces", "the namespaces each node has loaded from its configuration") { list, show };
    }

    private static Table Nodes(NamespacesView view)
    {
        var outliers = Outliers(view.Nodes.Select(n => n.Fingerprint));
        var table = Marked(outliers.Count > 0, "node", "fingerprint", "strict", "namespaces");
        foreach (var n in view.Nodes)
        {
            AddRow(table, outliers.Contains(n.Fingerprint), Output.Escape(n.Node), Output.Escape(n.Fingerprint), YesNo(n.Strict),
                n.Namespaces.Count.ToString(CultureInfo.InvariantCulture));
        }
        return table;
    }

    // A row per namespace when every node has the same options for it; else a row per variant, naming its nodes, marked.
    private static Table Namespaces(NamespacesView view)
    {
        var table = Marked(!view.Agree, ["namespace", "nodes", .. OptionColumns]);
        var names = view.Nodes.SelectMany(n => n.Namespaces.Keys).Distinct().Order(StringComparer.Ordinal);
        foreach (var name in names.Prepend(DefaultRow))
        {
            var variants = view.Nodes
                .GroupBy(n => name == DefaultRow ? n.Default : n.Namespaces.GetValueOrDefault(name))
                .ToList();
            foreach (var variant in variants)
            {
                var nodes = variants.Count == 1 ? "all" : string.Join(", ", variant.Select(n => n.Node));
                AddRow(table, variants.Count > 1, [Output.Escape(name), Output.Escape(nodes), .. Cells(variant.Key)]);
            }
        }
        return table;
    }

    private static Table Show(NamespaceView view)
    {
        var outliers = Outliers(view.Nodes.Select(n => n.Options));
        var table = Marked(outliers.Count > 0, ["node", "fingerprint", .. OptionColumns]);
        foreach (var n in view.Nodes)
        {
            var absent = n.Strict ? "not configured: refused (strict)" : "not configured: default rules";
            AddRow(table, outliers.Contains(n.Options), [Output.Escape(n.Node), Output.Escape(n.Fingerprint), .. Cells(n.Options, absent)]);
        }
        return table;
    }

    // The mark column is there only when some row has the mark: a table where all agree needs none.
    private static Table Marked(bool anyDiffers, params string[] columns) => Output.Table(anyDiffers ? [.. columns, ""] : columns);

    private static void AddRow(Table table, bool differs, params string[] cells) =>
        table.AddRow(table.Columns.Count > cells.Length ? [.. cells, differs ? $"[red]{Differs}[/]" : ""] : cells);

    /// <summary>
    /// The values that are not the cluster's: the cluster's is the one more nodes hold than any other. Of three nodes, the
    /// one that differs from the two; of two that differ, both.
    /// </summary>
    private static HashSet<T?> Outliers<T>(IEnumerable<T?> values)
    {
        var counts = values.GroupBy(v => v).Select(g => (Value: g.Key, Count: g.Count())).OrderByDescending(g => g.Count).ToList();
        if (counts.Count <= 1)
            return [];
        var differing = counts[0].Count > counts[1].Count ? counts.Skip(1) : counts;
        return differing.Select(g => g.Value).ToHashSet();
    }

    private static string[] Cells(NamespaceOptions? o, string absent = "not configured") => o is null
        ? [absent, .. OptionColumns.Skip(1).Select(_ => "")]
        :
        [
            o.HistorySize?.ToString(CultureInfo.InvariantCulture) ?? "global",
            o.HistoryTtl is { } ttl ? ttl.ToString("0.###", CultureInfo.InvariantCulture) + "s" : "global",
            YesNo(o.Presence), YesNo(o.PresenceEvents), Output.Escape(o.ClientPublish), YesNo(o.JoinHook), YesNo(o.PublishHook),
            o.MaxMembers == 0 ? "no bound" : o.MaxMembers.ToString(CultureInfo.InvariantCulture),
        ];

    private static string YesNo(bool value) => value ? "yes" : "no";
}

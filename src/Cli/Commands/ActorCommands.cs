using System.CommandLine;
using Spectre.Console;
using Switchboard.Contracts;

namespace Switchboard.Cli.Commands;

/// <summary>The <c>actor</c> palette: the node's actor hierarchy as a tree.</summary>
public static class ActorCommands
{
    public static Command Create(CommandActions actions)
    {
        var actor = new Command("actor", "the node's actors");
        var depth = new Option<int?>("--depth", "-d") { Description = "how many levels below the start", HelpName = "DEPTH" };
        var start = new Option<string?>("--start", "-s") { Description = "the path to start from, e.g. /user", HelpName = "PATH" };
        var hierarchy = new Command("hierarchy", "the actor tree of the node") { depth, start };
        actions.Bind(hierarchy, async (c, cancel) =>
        {
            if (c.Value(depth) is < 0)
                throw new UsageException("--depth is 0 or more");
            var root = await c.Client.GetAsync<ActorNode>(AdminRoutes.Actors, cancel,
                ("depth", c.Value(depth)?.ToString()), ("path", c.Value(start)));
            c.Output.Write(root, console =>
            {
                var tree = new Tree(Output.Escape(root.Path));
                AddChildren(tree, root);
                console.Write(tree);
            });
        });
        actor.Add(hierarchy);
        return actor;
    }

    private static void AddChildren(IHasTreeNodes parent, ActorNode node)
    {
        foreach (var child in node.Children)
            AddChildren(parent.AddNode(Output.Escape(child.Path)), child);
    }
}

using System.CommandLine;
using Spectre.Console;
using Switchboard.Contracts;

namespace Switchboard.Cli.Commands;

/// <summary><c>groups list</c> and <c>groups show</c>: the hub's groups and their members.</summary>
public static class GroupCommands
{
    public static Command Create(CommandActions actions)
    {
        var limit = ConnectionCommands.LimitOption("groups");
        var list = new Command("list", "every group with members (up to --limit)") { limit };
        actions.Bind(list, async (c, cancel) =>
        {
            var page = await Paging.AllAsync(c.Value(limit), async (after, size) =>
            {
                var p = await c.Client.GetAsync<GroupPage>(AdminRoutes.Groups, cancel, ("limit", size?.ToString()), ("after", after));
                return (p.Groups, p.Next, p.MissingNodes);
            });
            var all = new GroupPage(page.Items, page.Next, page.Missing);
            c.Output.Write(all, console =>
            {
                var table = Output.Table("group", "users", "connections");
                foreach (var g in all.Groups)
                    table.AddRow(Output.Escape(g.Group), g.Users.ToString(), g.Connections.ToString());
                console.Write(table);
                console.WriteLine($"{Output.Count(all.Groups.Count, "group")}{(all.Next is null ? "" : " (more: raise --limit)")}");
            });
            c.Output.Missing(all);
        });

        var name = new Argument<string>("GROUP") { Description = "the group's name" };
        var show = new Command("show", "a group's members") { name };
        actions.Bind(show, async (c, cancel) =>
        {
            var view = await c.Client.GetAsync<GroupView>(AdminRoutes.Group.Replace("{name}", Uri.EscapeDataString(c.Value(name))), cancel);
            c.Output.Write(view, console =>
            {
                console.WriteLine($"{view.Group}: {Output.Count(view.Members.Count, "member")}, {Output.Count(view.Connections, "connection")}");
                if (view.Stream is { } stream)
                    console.WriteLine($"stream: epoch {stream.Epoch}, seq {stream.Seq}");
                console.WriteLine(view.Presence is { } presence
                    ? $"presence: {Output.Count(presence.Users, "user")}, {Output.Count(presence.Connections, "connection")}"
                    : "presence: off");
                var table = Output.Table("user", "connections");
                foreach (var m in view.Members)
                    table.AddRow(Output.Escape(m.UserId), m.Connections.ToString());
                console.Write(table);
            });
        });
        return new Command("groups", "the hub's groups") { list, show };
    }
}

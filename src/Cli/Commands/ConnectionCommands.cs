using System.CommandLine;
using Spectre.Console;
using Switchboard.Contracts;

namespace Switchboard.Cli.Commands;

/// <summary><c>connections list</c>, <c>users show</c> and <c>kick</c>: the hub's connections, across the cluster.</summary>
public static class ConnectionCommands
{
    public static Command Connections(CommandActions actions)
    {
        var user = new Option<string?>("--user") { Description = "only this user's connections", HelpName = "USER" };
        // Shadows the global --node after the command words: "sbctl --node URL connections list --node ADDRESS".
        var node = new Option<string?>("--node", "--member")
        {
            Description = "only connections on this member (its address); to say which node to ask, put the global --node URL before the command",
            HelpName = "ADDRESS",
        };
        var limit = LimitOption("connections");
        var list = new Command("list", "open connections, every page of them (up to --limit)") { user, node, limit };
        actions.Bind(list, async (c, cancel) =>
        {
            var page = await Paging.AllAsync(c.Value(limit), async (after, size) =>
            {
                var p = await c.Client.GetAsync<ConnectionPage>(AdminRoutes.Connections, cancel,
                    ("user", c.Value(user)), ("node", c.Value(node)), ("limit", size?.ToString()), ("after", after));
                return (p.Connections, p.Next, p.MissingNodes);
            });
            var all = new ConnectionPage(page.Items, page.Next, page.Missing);
            c.Output.Write(all, console =>
            {
                console.Write(Table(all.Connections));
                console.WriteLine($"{Output.Count(all.Connections.Count, "connection")}{(all.Next is null ? "" : " (more: raise --limit)")}");
            });
            c.Output.Missing(all);
        });
        var connections = new Command("connections", "the hub's open connections") { list };
        return connections;
    }

    public static Command Users(CommandActions actions)
    {
        var id = new Argument<string>("USER") { Description = "the user id" };
        var show = new Command("show", "a user's connections on every node") { id };
        actions.Bind(show, async (c, cancel) =>
        {
            var view = await c.Client.GetAsync<UserView>(AdminRoutes.User.Replace("{id}", Uri.EscapeDataString(c.Value(id))), cancel);
            c.Output.Write(view, console =>
            {
                console.WriteLine($"{view.UserId}: {Output.Count(view.Connections.Count, "connection")}");
                if (view.Stream is { } stream)
                    console.WriteLine($"stream: epoch {stream.Epoch}, seq {stream.Seq}, delivered_seq {stream.DeliveredSeq ?? 0}");
                console.Write(Table(view.Connections));
            });
            c.Output.Missing(view);
        });
        return new Command("users", "the hub's users") { show };
    }

    public static Command Kick(CommandActions actions)
    {
        var user = new Option<string?>("--user") { Description = "close every connection of this user", HelpName = "USER" };
        var connection = new Option<string?>("--connection") { Description = "close this one connection", HelpName = "ID" };
        var reason = new Option<string?>("--reason") { Description = "the close reason the client sees (default: kicked)", HelpName = "TEXT" };
        var yes = Confirmation.YesOption();
        var kick = new Command("kick", "close a user's connections, or one connection") { user, connection, reason, yes };
        kick.Validators.Add(result =>
        {
            if (result.GetValue(user) is null == result.GetValue(connection) is null)
                result.AddError("kick needs exactly one of --user and --connection");
        });
        actions.Bind(kick, async (c, cancel) =>
        {
            var request = new KickRequest(c.Value(user), c.Value(connection), c.Value(reason));
            if (!c.Session.Confirm(request.UserId is { } u ? $"close every connection of {u}" : $"close connection {request.ConnectionId}", c.Value(yes)))
                return;
            var result = await c.Client.PostAsync<KickResult>(AdminRoutes.Kick, request, cancel);
            c.Output.Write(result, console => console.WriteLine(
                $"closed {Output.Count(result.Closed, "connection")}{(result.Nodes.Count > 0 ? " on " + string.Join(", ", result.Nodes) : "")}"));
            c.Output.Missing(result);
        });
        return kick;
    }

    public static Option<int?> LimitOption(string what)
    {
        var limit = new Option<int?>("--limit") { Description = $"at most this many {what}", HelpName = "N" };
        limit.Validators.Add(result =>
        {
            // Read from the token, not GetValueOrDefault: validators run even when the value is not a number, and
            // GetValueOrDefault then throws (sbctl crashed on "--limit many"); the parser reports that one itself.
            if (result.Tokens is [{ Value: var text }] && int.TryParse(text, out var n) && n <= 0)
                result.AddError("--limit is 1 or more");
        });
        return limit;
    }

    private static Table Table(IEnumerable<ConnectionInfo> connections)
    {
        var table = Output.Table("connection", "user", "node", "remote", "connected", "groups", "in", "out", "outbox");
        foreach (var x in connections)
        {
            table.AddRow(Output.Escape(x.ConnectionId), Output.Escape(x.UserId), Output.Escape(x.Node), Output.Escape(x.RemoteAddress),
                x.ConnectedAt.ToString("u"), Output.Escape(string.Join(",", x.Groups)), x.MessagesIn.ToString(), x.MessagesOut.ToString(),
                x.OutboxDepth.ToString());
        }
        return table;
    }
}

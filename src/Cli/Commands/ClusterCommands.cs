using System.CommandLine;
using Spectre.Console;
using Switchboard.Contracts;

namespace Switchboard.Cli.Commands;

/// <summary>The <c>cluster</c> palette, with Petabridge.Cmd's names: membership, the leader, events, leave/down/join.</summary>
public static class ClusterCommands
{
    public static Command Create(CommandActions actions)
    {
        var cluster = new Command("cluster", "membership of the cluster the node belongs to");

        var show = new Command("show", "every member: address, roles, status, reachability, version");
        actions.Bind(show, async (c, cancel) =>
        {
            var view = await c.Client.GetAsync<ClusterView>(AdminRoutes.Cluster, cancel);
            c.Output.Write(view, console =>
            {
                var table = Output.Table("address", "roles", "status", "reachable", "version", "");
                foreach (var m in view.Members)
                {
                    table.AddRow(Output.Escape(m.Address), Output.Escape(string.Join(",", m.Roles)), Output.Escape(m.Status),
                        m.Reachable ? "yes" : "[red]no[/]", Output.Escape(m.Version), Marks(m));
                }
                console.Write(table);
                console.WriteLine(Output.Count(view.Members.Count, "member"));
            });
        });

        var status = new Command("status", "this node's membership");
        actions.Bind(status, async (c, cancel) =>
        {
            var view = await c.Client.GetAsync<ClusterView>(AdminRoutes.Cluster, cancel);
            var self = view.Members.FirstOrDefault(m => m.IsSelf || m.Address == view.Self)
                ?? throw new NodeRefusedException($"{view.Self} is not among the members it reports");
            c.Output.Write(self, console =>
            {
                var grid = new Grid().AddColumn().AddColumn();
                grid.AddRow("address", Output.Escape(self.Address));
                grid.AddRow("status", Output.Escape(self.Status));
                grid.AddRow("reachable", self.Reachable ? "yes" : "no");
                grid.AddRow("roles", Output.Escape(string.Join(",", self.Roles)));
                grid.AddRow("version", Output.Escape(self.Version));
                grid.AddRow("leader", self.IsLeader ? "yes" : "no");
                console.Write(grid);
            });
        });

        var leader = new Command("leader", "the cluster's leader");
        actions.Bind(leader, async (c, cancel) =>
        {
            var view = await c.Client.GetAsync<ClusterView>(AdminRoutes.Cluster, cancel);
            c.Output.Write(new { leader = view.Leader }, console => console.WriteLine(view.Leader ?? "no leader"));
        });

        var tail = new Command("tail", "membership and reachability events as they happen, until Ctrl+C");
        actions.Bind(tail, async (c, cancel) =>
        {
            if (!c.Output.Json)
                c.Output.Note("following the cluster's events; Ctrl+C to stop");
            await foreach (var e in c.Client.StreamAsync<ClusterEvent>(AdminRoutes.ClusterEvents, cancel))
            {
                if (c.Output.Json)
                    c.Output.WriteLine(e);
                else
                    c.Output.Line($"{e.At:u}  {e.Type,-16} {e.Address}{(e.Status is null ? "" : "  " + e.Status)}");
            }
        });

        var leaveAddress = new Argument<string?>("ADDRESS") { Description = "the member to leave; the node itself when left out", Arity = ArgumentArity.ZeroOrOne };
        var leave = Change("leave", "a member leaves the cluster gracefully", AdminRoutes.ClusterLeave, actions, leaveAddress, "leave");
        var downAddress = new Argument<string?>("ADDRESS") { Description = "the member to mark down" };
        var down = Change("down", "mark a member down (it is removed without handing over)", AdminRoutes.ClusterDown, actions, downAddress, "down");
        var joinAddress = new Argument<string?>("ADDRESS") { Description = "a member of the cluster to join" };
        var join = Change("join", "the node joins the cluster at ADDRESS", AdminRoutes.ClusterJoin, actions, joinAddress, "join");

        var downUnreachable = new Command("down-unreachable", "mark every unreachable member down");
        var yes = Confirmation.YesOption();
        downUnreachable.Add(yes);
        actions.Bind(downUnreachable, async (c, cancel) =>
        {
            if (!c.Session.Confirm("down every unreachable member", c.Value(yes)))
                return;
            var result = await c.Client.PostAsync<ActionResult>(AdminRoutes.ClusterDownUnreachable, null, cancel);
            Confirmation.Report(c, result);
        });

        cluster.Add(show);
        cluster.Add(status);
        cluster.Add(leader);
        cluster.Add(tail);
        cluster.Add(leave);
        cluster.Add(down);
        cluster.Add(downUnreachable);
        cluster.Add(join);
        return cluster;
    }

    private static string Marks(ClusterMember m) =>
        string.Join(" ", new[] { m.IsLeader ? "leader" : null, m.IsSelf ? "self" : null }.Where(s => s is not null));

    // leave, down and join: one member address to the node, one answer back.
    private static Command Change(string name, string description, string route, CommandActions actions, Argument<string?> address, string verb)
    {
        var command = new Command(name, description) { address };
        var yes = Confirmation.YesOption();
        command.Add(yes);
        actions.Bind(command, async (c, cancel) =>
        {
            var target = c.Value(address);
            if (!c.Session.Confirm($"{verb} {target ?? "this node"}", c.Value(yes)))
                return;
            var result = await c.Client.PostAsync<ActionResult>(route, new MemberRequest(target), cancel);
            Confirmation.Report(c, result);
        });
        return command;
    }
}

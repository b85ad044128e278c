using System.CommandLine;
using Spectre.Console;
using Switchboard.Contracts;

namespace Switchboard.Cli.Commands;

/// <summary><c>node drain</c>: a member stops taking connections and hands its clients to the others.</summary>
public static class NodeCommands
{
    public static Command Create(CommandActions actions)
    {
        var address = new Argument<string>("ADDRESS") { Description = "the member to drain" };
        var yes = Confirmation.YesOption();
        var drain = new Command("drain", "stop new connections on a member and move its clients away") { address, yes };
        actions.Bind(drain, async (c, cancel) =>
        {
            if (!c.Session.Confirm($"drain {c.Value(address)}", c.Value(yes)))
                return;
            Confirmation.Report(c, await c.Client.PostAsync<ActionResult>(AdminRoutes.Drain, new MemberRequest(c.Value(address)), cancel));
        });
        return new Command("node", "one member of the hub") { drain };
    }
}

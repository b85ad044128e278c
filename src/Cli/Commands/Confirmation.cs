using System.CommandLine;
using Spectre.Console;
using Switchboard.Contracts;

namespace Switchboard.Cli.Commands;

/// <summary>What every command that changes state shares: <c>--yes</c> and how its answer is shown.</summary>
public static class Confirmation
{
    public static Option<bool> YesOption() => new("--yes", "-y") { Description = "do not ask for confirmation in the interactive prompt" };

    /// <summary>The node's answer; one it did not carry out is a refusal (exit status 1).</summary>
    public static void Report(CommandContext c, ActionResult result)
    {
        c.Output.Write(result, console => console.WriteLine(result.Message));
        if (!result.Done)
            throw new NodeRefusedException(result.Message);
    }
}

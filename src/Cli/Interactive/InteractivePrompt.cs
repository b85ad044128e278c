using System.CommandLine.Parsing;
using Spectre.Console;

namespace Switchboard.Cli.Interactive;

/// <summary>
/// <c>sbctl --node URL</c> with no command, as Petabridge.Cmd does: one node, the same commands without the global
/// options, line history, <c>help</c> and <c>exit</c>. A command that changes state asks first unless <c>--yes</c>.
/// </summary>
public sealed class InteractivePrompt(NodeTarget target, IAnsiConsole console, CommandInterrupt interrupt)
{
    private static readonly string[] Leave = ["exit", "quit"];

    public async Task<int> RunAsync()
    {
        var commands = new SbctlCommandLine(new Session(interactive: true, console), console, Console.Out, Console.Error);
        var reader = new PromptReader(console, $"[bold]sbctl[/] {Markup.Escape(target.Node.Authority)}> ", Console.In);
        console.MarkupLine($"[bold]sbctl[/] connected to [blue]{Markup.Escape(target.Node.ToString())}[/]: " +
            "type [bold]help[/] for the commands, [bold]history[/] and [bold]!N[/] to repeat one, [bold]exit[/] to leave.");
        while (reader.ReadLine() is { } line)
        {
            var words = CommandLineParser.SplitCommandLine(line).ToList();
            if (words.Count == 0)
                continue;
            if (Leave.Contains(words[0], StringComparer.OrdinalIgnoreCase))
                break;
            if (words[0] == "history")
            {
                foreach (var (entry, i) in reader.History.Select((e, i) => (e, i + 1)))
                    console.WriteLine($"{i,4}  {entry}");
                continue;
            }
            if (words[0] == "help")
                words = [.. words.Skip(1), "--help"];
            await commands.RunAsync(commands.Globals.Inherit(commands.Root, words, target), interrupt.Next());
        }
        return ExitCodes.Done;
    }
}

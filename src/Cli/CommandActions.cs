using System.CommandLine;
using Spectre.Console;

namespace Switchboard.Cli;

/// <summary>
/// Binds a command's body to its command: resolves the global options, runs the body, and turns what went wrong into
/// the exit status and one line on stderr.
/// </summary>
public sealed class CommandActions(GlobalOptions globals, Session session, IAnsiConsole console, TextWriter stdout, TextWriter stderr)
{
    public void Bind(Command command, Func<CommandContext, CancellationToken, Task> body) =>
        command.SetAction(async (parse, cancel) => await RunAsync(async () =>
        {
            var target = globals.Resolve(parse);
            var output = new Output(target.Json, console, stdout, stderr);
            using var client = new AdminClient(target, output.Error);
            await body(new CommandContext(parse, client, output, session), cancel);
        }, cancel));

    /// <summary>Binds a command that asks no node (<c>keys new</c>): the node options are not read, so a bad one does not stop it.</summary>
    public void BindOffline(Command command, Action<ParseResult, Output> body) =>
        command.SetAction(async (parse, cancel) => await RunAsync(() =>
        {
            body(parse, new Output(parse.GetValue(globals.Json), console, stdout, stderr));
            return Task.CompletedTask;
        }, cancel));

    private async Task<int> RunAsync(Func<Task> run, CancellationToken cancel)
    {
        try
        {
            await run();
            return ExitCodes.Done;
        }
        catch (UsageException e)
        {
            stderr.WriteLine("sbctl: " + e.Message);
            return ExitCodes.Usage;
        }
        catch (NodeRefusedException e)
        {
            stderr.WriteLine("sbctl: " + e.Message);
            return ExitCodes.Refused;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            // Ctrl+C ends a stream, or abandons a request, as the operator asked.
            return ExitCodes.Done;
        }
    }
}

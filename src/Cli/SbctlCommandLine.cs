using System.CommandLine;
using System.CommandLine.Help;
using Spectre.Console;
using Switchboard.Cli.Commands;

namespace Switchboard.Cli;

/// <summary>The whole command tree, and how one command line is run to its exit status.</summary>
public sealed class SbctlCommandLine
{
    private readonly TextWriter _stdout;
    private readonly TextWriter _stderr;

    /// <param name="noCommand">what a line with only global options does: the interactive prompt from the shell; null in the prompt itself.</param>
    /// <param name="environment">where SBCTL_NODE and SBCTL_KEY are read: the process's environment unless given.</param>
    public SbctlCommandLine(Session session, IAnsiConsole console, TextWriter stdout, TextWriter stderr,
        Func<NodeTarget, CancellationToken, Task<int>>? noCommand = null, Func<string, string?>? environment = null)
    {
        _stdout = stdout;
        _stderr = stderr;
        Globals = new GlobalOptions(environment ?? Environment.GetEnvironmentVariable);
        var actions = new CommandActions(Globals, session, console, stdout, stderr);
        Root = new RootCommand("sbctl: operate a Switchboard cluster over its admin API. With no command, an interactive prompt.");
        foreach (var option in Globals.All)
            Root.Add(option);
        Root.Add(ClusterCommands.Create(actions));
        Root.Add(ShardingCommands.Create(actions));
        Root.Add(ActorCommands.Create(actions));
        Root.Add(StatsCommand.Create(actions));
        Root.Add(ConnectionCommands.Connections(actions));
        Root.Add(ConnectionCommands.Users(actions));
        Root.Add(GroupCommands.Create(actions));
        Root.Add(ConnectionCommands.Kick(actions));
        Root.Add(MessageCommands.Send(actions));
        Root.Add(MessageCommands.Broadcast(actions));
        Root.Add(NodeCommands.Create(actions));
        Root.Add(RateLimitCommands.Create(actions));
        Root.Add(NamespaceCommands.Create(actions));
        Root.Add(HookCommands.Create(actions));
        Root.Add(TopCommand.Create(actions));
        Root.Add(KeyCommands.Create(actions));
        if (noCommand is not null)
        {
            Root.SetAction(async (parse, cancel) =>
            {
                try
                {
                    return await noCommand(Globals.Resolve(parse), cancel);
                }
                catch (UsageException e)
                {
                    stderr.WriteLine("sbctl: " + e.Message);
                    return ExitCodes.Usage;
                }
            });
        }
    }

    public RootCommand Root { get; }
    public GlobalOptions Globals { get; }

    /// <summary>Parses and runs <paramref name="args"/>; a parse error is reported on stderr with status 2, not 1 as the parser would.</summary>
    public async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancel)
    {
        var parse = Root.Parse(args);
        var configuration = new InvocationConfiguration { Output = _stdout, Error = _stderr, ProcessTerminationTimeout = null };
        if (parse.Errors.Count > 0 && parse.Action is not HelpAction)
        {
            foreach (var error in parse.Errors)
                _stderr.WriteLine("sbctl: " + error.Message);
            _stderr.WriteLine($"see: sbctl {string.Join(' ', CommandPath(parse))} --help".Replace("  ", " "));
            return ExitCodes.Usage;
        }
        return await parse.InvokeAsync(configuration, cancel);
    }

    private static IEnumerable<string> CommandPath(ParseResult parse)
    {
        var names = new Stack<string>();
        for (var result = parse.CommandResult; result.Parent is System.CommandLine.Parsing.CommandResult parent; result = parent)
            names.Push(result.Command.Name);
        return names;
    }
}

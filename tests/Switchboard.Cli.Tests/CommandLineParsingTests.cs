using System.CommandLine;
using Switchboard.Cli.Tests.Support;

namespace Switchboard.Cli.Tests;

/// <summary>Every command line docs/cli.md shows parses, and every command and option of the tree is in docs/cli.md.</summary>
public sealed class CommandLineParsingTests
{
    private static readonly SbctlCommandLine CommandLine = new(new Session(false, InProcessSbctl.NewConsole()),
        InProcessSbctl.NewConsole(), TextWriter.Null, TextWriter.Null, environment: _ => null);

    private const string Address = "akka.tcp://switchboard@127.0.0.1:4054";

    [Theory]
    [InlineData("cluster", "show")]
    [InlineData("cluster", "status")]
    [InlineData("cluster", "leader")]
    [InlineData("cluster", "tail")]
    [InlineData("cluster", "leave")]
    [InlineData("cluster", "leave", Address, "--yes")]
    [InlineData("cluster", "down", Address, "-y")]
    [InlineData("cluster", "down-unreachable", "--yes")]
    [InlineData("cluster", "join", Address)]
    [InlineData("cluster-sharding", "regions")]
    [InlineData("cluster-sharding", "region-stats", "-r", "user")]
    [InlineData("cluster-sharding", "region-stats", "--region", "user")]
    [InlineData("cluster-sharding", "shard-stats", "-r", "group")]
    [InlineData("actor", "hierarchy")]
    [InlineData("actor", "hierarchy", "-d", "2", "-s", "/user")]
    [InlineData("actor", "hierarchy", "--depth", "0", "--start", "/system")]
    [InlineData("stats")]
    [InlineData("stats", "--cluster")]
    [InlineData("connections", "list")]
    [InlineData("connections", "list", "--user", "ann", "--node", "127.0.0.1:4054", "--limit", "5")]
    [InlineData("connections", "list", "--member", Address)]
    [InlineData("users", "show", "ann")]
    [InlineData("groups", "list", "--limit", "3")]
    [InlineData("groups", "show", "lobby")]
    [InlineData("kick", "--user", "ann", "--reason", "maintenance", "--yes")]
    [InlineData("kick", "--connection", "c-1", "-y")]
    [InlineData("send", "--to", "ann", "--type", "chat", "--data", """{"text":"hi"}""")]
    [InlineData("send", "--group", "lobby", "-t", "notice", "--data", "\"hi\"")]
    [InlineData("broadcast", "--type", "announcement", "--data", "42")]
    [InlineData("broadcast", "-t", "announcement")]
    [InlineData("node", "drain", Address, "--yes")]
    [InlineData("ratelimit", "show")]
    [InlineData("ratelimit", "set", "--rate", "100-S")]
    [InlineData("ratelimit", "set", "--rate", "off", "--route", "/ws/message=10-S", "--route", "/ws/broadcast=1-M", "--yes")]
    [InlineData("namespaces", "list")]
    [InlineData("namespaces", "show", "chat")]
    [InlineData("hooks")]
    [InlineData("hooks", "--json")]
    [InlineData("top")]
    [InlineData("--node", "http://127.0.0.1:8081", "--prefix", "/ws", "--key", "k", "--json", "stats")]
    [InlineData("stats", "--json", "--node", "http://127.0.0.1:8081", "--key", "k", "--prefix", "/ws")]
    [InlineData("--node", "http://127.0.0.1:8081", "connections", "list", "--node", "127.0.0.1:4054")]
    [InlineData("--version")]
    public void A_documented_command_line_parses(params string[] args) =>
        Assert.Empty(CommandLine.Root.Parse(args).Errors.Select(e => e.Message));

    [Fact]
    public void A_repeated_route_option_gives_every_pair()
    {
        var parse = CommandLine.Root.Parse(["ratelimit", "set", "--rate", "1-S", "--route", "/a=1-S", "--route", "/b=2-M"]);
        var route = (Option<string[]>)parse.CommandResult.Command.Options.Single(o => o.Name == "--route");

        Assert.Equal(["/a=1-S", "/b=2-M"], parse.GetValue(route)!);
    }

    [Fact]
    public void Every_command_of_the_tree_is_in_the_docs()
    {
        var docs = Docs();

        Assert.All(Leaves(CommandLine.Root, ""), path => Assert.Contains($"`{path}", docs));
    }

    [Fact]
    public void Every_option_of_the_tree_is_in_the_docs()
    {
        var docs = Docs();
        var options = Commands(CommandLine.Root).SelectMany(c => c.Options).Where(o => o is not (System.CommandLine.Help.HelpOption or VersionOption));

        Assert.All(options.SelectMany(o => o.Aliases.Append(o.Name)).Distinct(), name => Assert.Contains(name, docs));
    }

    private static IEnumerable<string> Leaves(Command command, string path) =>
        command.Subcommands.Count == 0
            ? [path]
            : command.Subcommands.SelectMany(c => Leaves(c, path.Length == 0 ? c.Name : $"{path} {c.Name}"));

    private static IEnumerable<Command> Commands(Command command) => command.Subcommands.SelectMany(Commands).Prepend(command);

    private static string Docs()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Akka.sln")))
            directory = directory.Parent;
        Assert.NotNull(directory);
        return File.ReadAllText(Path.Combine(directory.FullName, "docs", "cli.md"));
    }
}

using System.CommandLine;
using Switchboard.Cli.Tests.Support;

namespace Switchboard.Cli.Tests;

/// <summary>
/// A line of the interactive prompt: the session's global options apply unless the line gives its own, and a
/// command's own <c>--node</c> (the member filter of <c>connections list</c>) does not count as the global one.
/// </summary>
public sealed class PromptLineInheritanceTests
{
    private static readonly NodeTarget Session = new(new Uri("http://10.0.0.1:8081"), "/hub", "session-key", Json: false);

    private readonly SbctlCommandLine _commandLine;

    public PromptLineInheritanceTests()
    {
        var console = InProcessSbctl.NewConsole();
        _commandLine = new SbctlCommandLine(new Session(true, console), console, TextWriter.Null, TextWriter.Null, environment: _ => null);
    }

    private (IReadOnlyList<string> Line, ParseResult Parse, NodeTarget Target) Inherit(NodeTarget session, params string[] words)
    {
        var line = _commandLine.Globals.Inherit(_commandLine.Root, words, session);
        var parse = _commandLine.Root.Parse(line);
        Assert.Empty(parse.Errors);
        return (line, parse, _commandLine.Globals.Resolve(parse));
    }

    [Fact]
    public void A_bare_line_runs_against_the_sessions_node_prefix_and_key()
    {
        var (line, _, target) = Inherit(Session, "stats");

        Assert.Equal(["--node", "http://10.0.0.1:8081/", "--prefix", "/hub", "--key", "session-key", "stats"], line);
        Assert.Equal(Session, target);
    }

    [Fact]
    public void A_sessions_json_applies_to_every_line() =>
        Assert.True(Inherit(Session with { Json = true }, "stats").Target.Json);

    [Fact]
    public void A_session_without_a_key_adds_none() =>
        Assert.DoesNotContain("--key", Inherit(Session with { Key = null }, "stats").Line);

    [Fact]
    public void An_option_the_line_gives_is_the_lines_and_is_given_once()
    {
        var (line, _, target) = Inherit(Session, "stats", "--node", "http://10.0.0.2:8082", "--prefix", "/other", "--key", "line-key");

        Assert.Equal(new NodeTarget(new Uri("http://10.0.0.2:8082"), "/other", "line-key", false), target);
        Assert.Single(line, w => w == "--node");
        Assert.Single(line, w => w == "--prefix");
        Assert.Single(line, w => w == "--key");
    }

    [Fact]
    public void The_lines_own_options_replace_only_themselves()
    {
        var (_, _, target) = Inherit(Session, "stats", "--prefix", "/other");

        Assert.Equal(Session with { Prefix = "/other" }, target);
    }

    [Theory]
    [InlineData("--node")]
    [InlineData("--member")]
    public void Connections_list_node_filters_by_member_while_the_session_still_says_which_node_to_ask(string filter)
    {
        var (_, parse, target) = Inherit(Session, "connections", "list", filter, "10.9.9.9:4053");

        Assert.Equal(Session.Node, target.Node);
        var member = (Option<string?>)parse.CommandResult.Command.Options.Single(o => o.Name == "--node");
        Assert.Equal("10.9.9.9:4053", parse.GetValue(member));
    }

    [Fact]
    public void Help_on_a_line_is_still_help()
    {
        var (_, parse, _) = Inherit(Session, "cluster", "down", "--help");

        Assert.IsType<System.CommandLine.Help.HelpAction>(parse.Action);
    }
}

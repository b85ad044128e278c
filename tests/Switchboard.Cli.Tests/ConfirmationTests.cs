using System.CommandLine;
using Switchboard.Cli.Commands;
using Switchboard.Cli.Tests.Support;
using Switchboard.Contracts;

namespace Switchboard.Cli.Tests;

/// <summary>How the answer to a change is shown: the node's message, and a change it did not carry out is a refusal.</summary>
public sealed class ConfirmationTests
{
    private readonly Spectre.Console.Testing.TestConsole _console = InProcessSbctl.NewConsole();
    private readonly StringWriter _stdout = new();

    private CommandContext Context(bool json)
    {
        // Report never talks to the node: the client is only there because a command's context carries one.
        var client = new AdminClient(new NodeTarget(new Uri("http://127.0.0.1:1"), "/ws", null, json));
        return new CommandContext(new RootCommand().Parse([]), client, new Output(json, _console, _stdout, TextWriter.Null),
            new Session(false, _console));
    }

    [Fact]
    public void A_change_carried_out_shows_the_nodes_message()
    {
        Confirmation.Report(Context(json: false), new ActionResult(true, "n2 is leaving"));

        Assert.Equal("n2 is leaving\n", _console.Output);
    }

    [Fact]
    public void A_change_not_carried_out_is_shown_and_then_refused_with_the_nodes_message()
    {
        var refusal = Assert.Throws<NodeRefusedException>(() => Confirmation.Report(Context(json: false), new ActionResult(false, "n9 is not a member")));

        Assert.Equal("n9 is not a member", refusal.Message);
        Assert.Equal("n9 is not a member\n", _console.Output);
    }

    [Fact]
    public void With_json_the_answer_is_the_nodes_action_result()
    {
        Assert.Throws<NodeRefusedException>(() => Confirmation.Report(Context(json: true), new ActionResult(false, "no")));

        var written = System.Text.Json.JsonDocument.Parse(_stdout.ToString()).RootElement;
        Assert.False(written.GetProperty("done").GetBoolean());
        Assert.Equal("no", written.GetProperty("message").GetString());
        Assert.Equal("", _console.Output);
    }

    [Fact]
    public void Yes_has_a_short_name()
    {
        var yes = Confirmation.YesOption();
        var command = new RootCommand { yes };

        Assert.True(command.Parse(["-y"]).GetValue(yes));
        Assert.True(command.Parse(["--yes"]).GetValue(yes));
        Assert.False(command.Parse([]).GetValue(yes));
    }
}

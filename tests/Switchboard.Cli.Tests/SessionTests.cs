using Spectre.Console.Testing;
using Switchboard.Cli.Tests.Support;

namespace Switchboard.Cli.Tests;

/// <summary>
/// When a change asks first: only in the interactive prompt, never with --yes, and never by guessing when no one is at a
/// terminal to answer.
/// </summary>
public sealed class SessionTests
{
    [Fact]
    public void From_the_shell_a_change_goes_ahead_without_asking()
    {
        var console = InProcessSbctl.NewConsole().Interactive();

        Assert.True(new Session(interactive: false, console).Confirm("down n1", yes: false));
        Assert.Equal("", console.Output);
    }

    [Fact]
    public void In_the_prompt_yes_goes_ahead_without_asking()
    {
        var console = InProcessSbctl.NewConsole().Interactive();

        Assert.True(new Session(interactive: true, console).Confirm("down n1", yes: true));
        Assert.Equal("", console.Output);
    }

    [Theory]
    [InlineData("y", true)]
    [InlineData("n", false)]
    [InlineData("", false)] // the default is no
    public void In_the_prompt_at_a_terminal_the_operator_is_asked(string answer, bool goesAhead)
    {
        var console = InProcessSbctl.NewConsole().Interactive();
        console.Input.PushTextWithEnter(answer);

        var confirmed = new Session(interactive: true, console).Confirm("down akka.tcp://sb@h:4053", yes: false);

        Assert.Equal(goesAhead, confirmed);
        Assert.StartsWith("down akka.tcp://sb@h:4053? [y/n] (n):", console.Output);
    }

    [Fact]
    public void The_question_shows_brackets_as_they_are()
    {
        var console = InProcessSbctl.NewConsole().Interactive();
        console.Input.PushTextWithEnter("n");

        new Session(interactive: true, console).Confirm("down akka.tcp://sb@[::1]:4053", yes: false);

        Assert.StartsWith("down akka.tcp://sb@[::1]:4053?", console.Output);
    }

    [Fact]
    public void In_the_prompt_with_no_terminal_a_change_without_yes_is_a_usage_error()
    {
        var console = InProcessSbctl.NewConsole(); // a test console is not interactive: as lines piped into the prompt

        var error = Assert.Throws<UsageException>(() => new Session(interactive: true, console).Confirm("drain n1", yes: false));

        Assert.Equal("drain n1: asks for confirmation, and input is not a terminal; add --yes", error.Message);
    }
}

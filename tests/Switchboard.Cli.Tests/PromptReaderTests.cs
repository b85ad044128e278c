using Switchboard.Cli.Interactive;
using Switchboard.Cli.Tests.Support;

namespace Switchboard.Cli.Tests;

/// <summary>The prompt's lines: trimmed, kept in history, recalled with !N and !!, and null at the end of input.</summary>
public sealed class PromptReaderTests
{
    private readonly Spectre.Console.Testing.TestConsole _console = InProcessSbctl.NewConsole();

    private PromptReader Reader(params string[] lines) =>
        new(_console, "sbctl> ", new StringReader(string.Join("\n", lines) + "\n"));

    private static List<string?> ReadAll(PromptReader reader)
    {
        var lines = new List<string?>();
        while (reader.ReadLine() is { } line)
            lines.Add(line);
        return lines;
    }

    [Fact]
    public void Each_line_is_read_trimmed_after_the_prompt_and_the_end_of_input_is_null()
    {
        var reader = Reader("  stats  ", "cluster show");

        Assert.Equal("stats", reader.ReadLine());
        Assert.Equal("cluster show", reader.ReadLine());
        Assert.Null(reader.ReadLine());
        Assert.Equal("sbctl> sbctl> sbctl> ", _console.Output);
    }

    [Fact]
    public void A_blank_line_is_returned_but_not_kept()
    {
        var reader = Reader("", "   ", "stats");

        Assert.Equal(["", "", "stats"], ReadAll(reader));
        Assert.Equal(["stats"], reader.History);
    }

    [Fact]
    public void Bang_number_runs_that_entry_again_shows_it_and_keeps_it()
    {
        var reader = Reader("stats", "cluster show", "!1");

        Assert.Equal(["stats", "cluster show", "stats"], ReadAll(reader));
        Assert.Equal(["stats", "cluster show", "stats"], reader.History);
        Assert.Contains("sbctl> stats\n", _console.Output);
    }

    [Fact]
    public void Bang_bang_runs_the_last_entry_again()
    {
        var reader = Reader("stats", "cluster show", "!!");

        Assert.Equal("cluster show", ReadAll(reader)[^1]);
    }

    [Theory]
    [InlineData("!3")]
    [InlineData("!0")]
    [InlineData("!-1")]
    [InlineData("!x")]
    public void An_entry_that_is_not_there_is_said_and_the_next_line_is_read(string recall)
    {
        var reader = Reader("stats", recall, "cluster show");

        Assert.Equal(["stats", "cluster show"], ReadAll(reader));
        Assert.Contains($"no history entry {recall}", _console.Output);
        Assert.Equal(["stats", "cluster show"], reader.History);
    }

    [Fact]
    public void Bang_bang_with_no_history_is_said()
    {
        var reader = Reader("!!");

        Assert.Empty(ReadAll(reader));
        Assert.Contains("no history entry !!", _console.Output);
    }

    [Fact]
    public void A_bang_alone_is_an_ordinary_line() => Assert.Equal("!", Reader("!").ReadLine());

    [Fact]
    public void The_prompt_is_drawn_as_markup()
    {
        var reader = new PromptReader(_console, "[bold]sbctl[/] h:1> ", new StringReader(""));

        Assert.Null(reader.ReadLine());
        Assert.Equal("sbctl h:1> ", _console.Output);
    }
}

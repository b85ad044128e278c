using Spectre.Console;
using Spectre.Console.Testing;
using Switchboard.Cli.Tests.Support;
using Switchboard.Contracts;

namespace Switchboard.Cli.Tests;

/// <summary>Where an answer goes: JSON on stdout with --json, else the console; warnings and errors on stderr either way.</summary>
public sealed class OutputTests
{
    private readonly TestConsole _console = InProcessSbctl.NewConsole();
    private readonly StringWriter _stdout = new();
    private readonly StringWriter _stderr = new();

    private Output Json() => new(json: true, _console, _stdout, _stderr);
    private Output Human() => new(json: false, _console, _stdout, _stderr);

    private static readonly GroupPage Page = new([new GroupSummary("lobby", 2, 3)], "lobby", ["n2"]);

    [Fact]
    public void With_json_a_record_is_one_indented_snake_case_document_and_nothing_is_drawn()
    {
        var drawn = false;

        Json().Write(Page, _ => drawn = true);

        Assert.False(drawn);
        Assert.Equal("", _console.Output);
        Assert.Equal("""
            {
              "groups": [
                {
                  "group": "lobby",
                  "users": 2,
                  "connections": 3
                }
              ],
              "next": "lobby",
              "missing_nodes": [
                "n2"
              ]
            }

            """.ReplaceLineEndings(Environment.NewLine), _stdout.ToString());
    }

    [Fact]
    public void Without_json_the_record_is_drawn_on_the_console_and_stdout_is_untouched()
    {
        IAnsiConsole? given = null;

        Human().Write(Page, console =>
        {
            given = console;
            console.WriteLine("drawn");
        });

        Assert.Same(_console, given);
        Assert.Equal("drawn\n", _console.Output);
        Assert.Equal("", _stdout.ToString());
    }

    [Fact]
    public void A_stream_object_is_one_line_of_compact_json()
    {
        var at = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

        Json().WriteLine(new ClusterEvent(at, "member_up", "akka.tcp://sb@h:1", "Up"));
        Json().WriteLine(new ClusterEvent(at, "unreachable", "akka.tcp://sb@h:2", null));

        var lines = _stdout.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal([
            """{"at":"2026-01-02T03:04:05+00:00","type":"member_up","address":"akka.tcp://sb@h:1","status":"Up"}""",
            """{"at":"2026-01-02T03:04:05+00:00","type":"unreachable","address":"akka.tcp://sb@h:2","status":null}""",
        ], lines);
    }

    [Fact]
    public void Nodes_that_did_not_answer_are_named_on_stderr()
    {
        Human().Missing(new KickResult(1, ["n1"], ["n2", "n3"]));

        Assert.Equal("sbctl: no answer in time from n2, n3" + Environment.NewLine, _stderr.ToString());
        Assert.Equal("", _console.Output);
    }

    [Fact]
    public void With_json_the_missing_nodes_are_left_to_the_document()
    {
        Json().Missing(new KickResult(1, ["n1"], ["n2"]));

        Assert.Equal("", _stderr.ToString());
    }

    [Fact]
    public void An_answer_from_every_node_says_nothing_of_missing_ones()
    {
        Human().Missing(new KickResult(1, ["n1"], []));

        Assert.Equal("", _stderr.ToString());
    }

    [Fact]
    public void A_note_goes_to_stderr_as_it_is_and_an_error_with_the_tools_name()
    {
        var output = Human();

        output.Note("following");
        output.Error("went wrong");

        Assert.Equal($"following{Environment.NewLine}sbctl: went wrong{Environment.NewLine}", _stderr.ToString());
        Assert.Equal("", _console.Output);
        Assert.Equal("", _stdout.ToString());
    }

    [Fact]
    public void A_line_is_drawn_on_the_console_without_markup()
    {
        Human().Line("[not markup]");

        Assert.Equal("[not markup]\n", _console.Output);
    }

    [Fact]
    public void A_table_has_the_columns_it_is_given_in_order()
    {
        var table = Output.Table("node", "shards", "entities");
        table.AddRow("n1", "2", "30");

        _console.Write(table);

        Assert.Equal(3, table.Columns.Count);
        var header = Assert.Single(_console.Lines, l => l.Contains("node"));
        Assert.True(header.IndexOf("node") < header.IndexOf("shards") && header.IndexOf("shards") < header.IndexOf("entities"), header);
        Assert.Contains(_console.Lines, l => l.Contains("n1") && l.Contains("30"));
    }

    [Theory]
    [InlineData("[red]not red[/]")]
    [InlineData("akka.tcp://sb@[::1]:4053")]
    [InlineData("a]b[c")]
    public void Escaped_text_is_drawn_as_it_is_whatever_brackets_it_holds(string text)
    {
        _console.MarkupLine(Output.Escape(text));

        Assert.Equal(text + "\n", _console.Output);
    }

    [Fact]
    public void Null_escapes_to_nothing() => Assert.Equal("", Output.Escape(null));

    [Theory]
    [InlineData(0, "connection", null, "0 connections")]
    [InlineData(1, "connection", null, "1 connection")]
    [InlineData(2, "connection", null, "2 connections")]
    [InlineData(1, "entity", "entities", "1 entity")]
    [InlineData(3, "entity", "entities", "3 entities")]
    public void Count_uses_the_singular_for_one_and_the_plural_otherwise(long n, string singular, string? plural, string expected) =>
        Assert.Equal(expected, Output.Count(n, singular, plural));
}

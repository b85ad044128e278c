using System.Text.Json;
using Spectre.Console;
using Switchboard.Contracts;

namespace Switchboard.Cli;

/// <summary>
/// Where a command's answer goes: one JSON document (or one per line for streams) with <c>--json</c>, else tables and
/// lines for a person. Refusals and warnings go to stderr in both modes, so stdout stays parseable.
/// </summary>
public sealed class Output(bool json, IAnsiConsole console, TextWriter stdout, TextWriter stderr)
{
    private static readonly JsonSerializerOptions Indented = new(AdminJson.Options) { WriteIndented = true };

    public bool Json => json;
    public IAnsiConsole Console => console;

    /// <summary>With <c>--json</c>, <paramref name="value"/> as the one document; otherwise <paramref name="render"/>.</summary>
    public void Write<T>(T value, Action<IAnsiConsole> render)
    {
        if (json)
            stdout.WriteLine(JsonSerializer.Serialize(value, Indented));
        else
            render(console);
    }

    /// <summary>One object of a stream: a line of compact JSON.</summary>
    public void WriteLine<T>(T value)
    {
        stdout.WriteLine(JsonSerializer.Serialize(value, AdminJson.Options));
        stdout.Flush();
    }

    public void Line(string text) => console.WriteLine(text);

    /// <summary>Text as it is, straight to stdout: never wrapped at the terminal's width, so that a line can be copied whole.</summary>
    public void Plain(string text) => stdout.WriteLine(text);

    public void Error(string text) => stderr.WriteLine("sbctl: " + text);

    /// <summary>A word to the operator that is not the answer (stderr, so that piping the answer leaves it out).</summary>
    public void Note(string text) => stderr.WriteLine(text);

    /// <summary>Nodes that did not answer a cluster-wide question within its deadline: said, not hidden.</summary>
    public void Missing(IGathered gathered)
    {
        if (gathered.MissingNodes is { Count: > 0 } missing && !json)
            Error("no answer in time from " + string.Join(", ", missing));
    }

    public static Table Table(params string[] columns)
    {
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var column in columns)
            table.AddColumn(new TableColumn(column));
        return table;
    }

    public static string Escape(string? text) => Markup.Escape(text ?? "");

    /// <summary>
    /// <paramref name="n"/> and the noun for it: the singular for 1 ("1 connection"), else the plural (the singular
    /// and "s" unless <paramref name="plural"/> is given).
    /// </summary>
    public static string Count(long n, string singular, string? plural = null) =>
        $"{n} {(n == 1 ? singular : plural ?? singular + "s")}";
}

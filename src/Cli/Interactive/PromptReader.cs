using Spectre.Console;

namespace Switchboard.Cli.Interactive;

/// <summary>
/// The prompt's lines and their history: <c>history</c> lists them, <c>!N</c> runs entry N again, <c>!!</c> the last.
/// Null at the end of input (Ctrl+D, or the end of a pipe).
/// </summary>
/// <param name="input">where the lines come from: the process's stdin in sbctl.</param>
/// <remarks>
/// RadLine (Spectre's line editor, with arrow-key history) is served only at 0.6.0, built against Spectre.Console 0.43,
/// and does not bind to 0.57; until it moves into Spectre.Console the recall is by number.
/// </remarks>
public sealed class PromptReader(IAnsiConsole console, string prompt, TextReader input)
{
    private readonly List<string> _history = [];

    public IReadOnlyList<string> History => _history;

    public string? ReadLine()
    {
        while (true)
        {
            console.Markup(prompt);
            var line = input.ReadLine();
            if (line is null)
                return null;
            line = line.Trim();
            if (line.StartsWith('!') && line.Length > 1)
            {
                if (Recall(line[1..]) is not { } recalled)
                {
                    console.MarkupLine($"[red]no history entry {Markup.Escape(line)}[/]");
                    continue;
                }
                console.WriteLine(recalled);
                line = recalled;
            }
            if (line.Length > 0)
                _history.Add(line);
            return line;
        }
    }

    private string? Recall(string which)
    {
        if (which == "!")
            return _history.LastOrDefault();
        return int.TryParse(which, out var n) && n >= 1 && n <= _history.Count ? _history[n - 1] : null;
    }
}

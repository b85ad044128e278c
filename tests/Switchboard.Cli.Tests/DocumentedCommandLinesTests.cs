using Spectre.Console.Testing;

namespace Switchboard.Cli.Tests;

/// <summary>
/// Every sbctl command line the README and docs/cli.md show in a code block is one the real command tree accepts: no
/// unknown command or option, no missing value. (What the samples print is checked against the real binary and real
/// nodes in the integration tests.)
/// </summary>
public sealed class DocumentedCommandLinesTests
{
    public static TheoryData<string, string> Lines()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "Akka.sln")))
            root = root.Parent ?? throw new InvalidOperationException("Akka.sln not found above the test output");
        var lines = new TheoryData<string, string>();
        foreach (var file in new[] { "README.md", Path.Combine("docs", "cli.md") })
        {
            // A transcript shows commands after "$ "; a shell block has them bare. Other lines (a prompt's) are output.
            string? block = null;
            foreach (var line in File.ReadLines(Path.Combine(root.FullName, file)))
            {
                var trimmed = line.TrimStart();
                if (trimmed.StartsWith("```", StringComparison.Ordinal))
                    block = block is null ? trimmed[3..] : null;
                else if (block is not null && (trimmed.StartsWith("$ ", StringComparison.Ordinal) || block == "sh")
                         && trimmed.TrimStart('$', ' ') is var command && command.StartsWith("sbctl", StringComparison.Ordinal)
                         && (command.Length == 5 || command[5] == ' '))
                    lines.Add(file, command);
            }
        }
        return lines;
    }

    [Theory]
    [MemberData(nameof(Lines))]
    public void The_line_parses(string file, string line)
    {
        var commandLine = new SbctlCommandLine(new Session(false, new TestConsole()), new TestConsole(), TextWriter.Null, TextWriter.Null,
            noCommand: (_, _) => Task.FromResult(0), environment: _ => null);

        var parse = commandLine.Root.Parse(Words(line["sbctl".Length..]));

        Assert.True(parse.Errors.Count == 0, $"{file}: {line}: {string.Join("; ", parse.Errors.Select(e => e.Message))}");
    }

    // As sh splits them, up to a comment or a pipe; $VARIABLES and <placeholders> stand as words.
    private static List<string> Words(string line)
    {
        var words = new List<string>();
        var word = new System.Text.StringBuilder();
        var (inWord, quote) = (false, (char?)null);
        foreach (var c in line)
        {
            if (quote is not null)
            {
                if (c == quote)
                    quote = null;
                else
                    word.Append(c);
            }
            else if (c is '\'' or '"')
            {
                (quote, inWord) = (c, true);
            }
            else if (char.IsWhiteSpace(c) || (c is '#' or '|' && !inWord))
            {
                if (inWord)
                    words.Add(word.ToString());
                word.Clear();
                inWord = false;
                if (c is '#' or '|')
                    return words;
            }
            else
            {
                word.Append(c);
                inWord = true;
            }
        }
        if (inWord)
            words.Add(word.ToString());
        return words;
    }
}

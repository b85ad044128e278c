using System.Text.RegularExpressions;

namespace Switchboard.IntegrationTests.Support;

/// <summary>A Markdown file of the repository read as its tests need it: fenced blocks, tables, headings, links.</summary>
public sealed partial class Markdown(string path)
{
    public string Path { get; } = path;
    public string[] Lines { get; } = File.ReadAllLines(path);

    public static Markdown Readme => new(System.IO.Path.Combine(ServiceProcess.RepositoryRoot, "README.md"));

    public static Markdown Doc(string name) => new(System.IO.Path.Combine(ServiceProcess.RepositoryRoot, "docs", name));

    /// <summary>Every Markdown file of the repository, outside build output and installed packages.</summary>
    public static IEnumerable<Markdown> All() =>
        Directory.EnumerateFiles(ServiceProcess.RepositoryRoot, "*.md", SearchOption.AllDirectories)
            .Where(f => !System.IO.Path.GetRelativePath(ServiceProcess.RepositoryRoot, f).Split(System.IO.Path.DirectorySeparatorChar)
                .Any(part => part is "bin" or "obj" or "node_modules" or ".git" or "TestResults" or "results"))
            .Select(f => new Markdown(f));

    public string Name => System.IO.Path.GetRelativePath(ServiceProcess.RepositoryRoot, Path);

    /// <summary>The lines of each fenced code block (without its fences), with the heading of the section it is in.</summary>
    public IEnumerable<(string Heading, IReadOnlyList<string> Lines)> CodeBlocks()
    {
        var heading = "";
        List<string>? block = null;
        foreach (var line in Lines)
        {
            var trimmed = line.TrimStart();
            if (trimmed.StartsWith("```", StringComparison.Ordinal))
            {
                if (block is null)
                {
                    block = [];
                    continue;
                }
                yield return (heading, block);
                block = null;
                continue;
            }
            if (block is not null)
                block.Add(line);
            else if (line.StartsWith('#'))
                heading = line.TrimStart('#').Trim();
        }
    }

    /// <summary>The rows of each table whose header row starts with <paramref name="columns"/>, as trimmed cells.</summary>
    public IEnumerable<string[]> TableRows(params string[] columns)
    {
        var inTable = false;
        foreach (var line in Lines)
        {
            if (!line.StartsWith('|'))
            {
                inTable = false;
                continue;
            }
            var cells = Cells(line);
            if (cells.Take(columns.Length).SequenceEqual(columns))
            {
                inTable = true;
                continue;
            }
            if (inTable && !cells.All(c => c.Trim('-', ':').Length == 0))
                yield return cells;
        }
    }

    /// <summary>The targets of the file's links, <c>[text](target)</c>, as written.</summary>
    public IEnumerable<string> LinkTargets() =>
        Lines.SelectMany(l => Link().Matches(l).Select(m => m.Groups["target"].Value));

    /// <summary>The anchors of the file's headings, as GitHub makes them: lower case, punctuation dropped, spaces as dashes.</summary>
    public IReadOnlySet<string> Anchors()
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        var inBlock = false;
        foreach (var line in Lines)
        {
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
                inBlock = !inBlock;
            else if (!inBlock && line.StartsWith('#'))
                anchors.Add(NotInAnchor().Replace(line.TrimStart('#').Trim().ToLowerInvariant(), "").Replace(' ', '-'));
        }
        return anchors;
    }

    // Cells between the outer pipes; a pipe escaped as \| stays in its cell.
    private static string[] Cells(string line) =>
        [.. CellSplit().Split(line.Trim().Trim('|')).Select(c => c.Trim().Replace("\\|", "|"))];

    [GeneratedRegex(@"(?<!\\)\|")]
    private static partial Regex CellSplit();

    [GeneratedRegex(@"\]\((?<target>[^)\s]+)\)")]
    private static partial Regex Link();

    [GeneratedRegex(@"[^\p{L}\p{N} _-]")]
    private static partial Regex NotInAnchor();
}

/// <summary>
/// One <c>$ sbctl ...</c> line of a Markdown code block and the lines printed under it: its words as a shell splits
/// them (quotes, a <c># comment</c> and a <c>| pipe</c> taken off), and what it was piped into.
/// </summary>
public sealed record SbctlSample(string Line, IReadOnlyList<string> Arguments, string? Pipe, IReadOnlyList<string> Output)
{
    /// <summary>Every sample of <paramref name="file"/>'s code blocks that start with <c>$ sbctl</c>.</summary>
    public static IEnumerable<SbctlSample> In(Markdown file)
    {
        foreach (var (_, lines) in file.CodeBlocks())
        {
            for (var i = 0; i < lines.Count; i++)
            {
                if (!lines[i].StartsWith("$ sbctl", StringComparison.Ordinal))
                    continue;
                var output = lines.Skip(i + 1).TakeWhile(l => !l.StartsWith("$ ", StringComparison.Ordinal)).ToList();
                var (words, pipe) = ShellWords(lines[i]["$ sbctl".Length..]);
                yield return new SbctlSample(lines[i], words, pipe, output);
            }
        }
    }

    /// <summary>Words as sh splits them, up to an unquoted <c>#</c> (a comment) or <c>|</c> (what follows is returned as the pipe).</summary>
    public static (List<string> Words, string? Pipe) ShellWords(string line)
    {
        var words = new List<string>();
        var word = new System.Text.StringBuilder();
        var inWord = false;
        char? quote = null;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quote is not null)
            {
                if (c == quote)
                    quote = null;
                else
                    word.Append(c);
                continue;
            }
            if (c is '\'' or '"')
            {
                quote = c;
                inWord = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (inWord)
                    words.Add(word.ToString());
                word.Clear();
                inWord = false;
            }
            else if (c == '#' && !inWord)
            {
                break;
            }
            else if (c == '|')
            {
                if (inWord)
                    words.Add(word.ToString());
                return (words, line[(i + 1)..].Trim());
            }
            else
            {
                word.Append(c);
                inWord = true;
            }
        }
        if (inWord)
            words.Add(word.ToString());
        return (words, null);
    }
}

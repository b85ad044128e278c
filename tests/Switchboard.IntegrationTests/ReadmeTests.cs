using System.Diagnostics;
using System.Reflection;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.IntegrationTests.Support;
using Switchboard.Service.Auth;
using Switchboard.Service.RateLimiting;
using Switchboard.Service.Remoting;
using Switchboard.Service.Settings;

namespace Switchboard.IntegrationTests;

/// <summary>
/// The README and the docs say what the build does, checked so that they cannot drift: every settings table and every
/// setting named in the README against what the loaders read (both ways), docs/rate-limiting.md's table against
/// <see cref="RateLimiterOptions"/>, the "Run it" lines against a node, the token-minting sample against the token
/// check, docs/cli.md's <c>keys new</c> sample against the real sbctl, and every link inside the repository.
/// (The README's <c>sbctl</c> samples run against three nodes in <see cref="ClusterScriptTests"/>, and every documented
/// sbctl line is parsed by the real command tree in the CLI's tests.)
/// </summary>
public sealed partial class ReadmeTests(ServerFixture node) : IClassFixture<ServerFixture>
{
    // The sections whose settings the README names; others it names (Kestrel, Logging) are ASP.NET Core's.
    private static readonly string[] Sections = ["WebSocket", "History", "Cluster", "Auth", "Hooks", "Metrics", "Namespaces", "Presence", "Events"];

    // A segment in capitals stands for any: N and M an index, HOOK a hook, NAME a namespace, OPTION an option.
    private static readonly Dictionary<string, string> Placeholders = new(StringComparer.Ordinal)
    {
        ["N"] = "0", ["M"] = "0", ["HOOK"] = "Connect", ["NAME"] = "chat", ["OPTION"] = "HistorySize",
    };

    private static readonly string[] SettingsColumns = ["setting", "environment variable", "default", "meaning"];

    private static string Text(Markdown file) => string.Join('\n', file.Lines);

    private static string Unquote(string cell) => cell.Replace("`", "").Trim();

    /// <summary>Every setting the README names: the first column of its settings tables and each Section__Key variable.</summary>
    private static List<string> ReadmePaths()
    {
        var readme = Markdown.Readme;
        var paths = readme.TableRows(SettingsColumns)
            .SelectMany(row => Unquote(row[0]).Split(", "))
            .Select(setting => setting.Contains(':') ? setting : $"{SwitchboardOptionsLoader.SectionName}:{setting}")
            .ToList();
        paths.AddRange(SectionVariable().Matches(Text(readme)).Select(m => m.Value.Replace("__", ":"))
            .Where(path => Sections.Contains(path.Split(':')[0])));
        return [.. paths.Distinct()];
    }

    private static string Concrete(string path) =>
        string.Join(':', path.Split(':').Select(segment => Placeholders.GetValueOrDefault(segment, segment)));

    // A documented path covers a key when they agree segment by segment (a placeholder agreeing with any), when the key
    // is its parent (a loader looks at a list's own value), or when the key is an entry of it (a list's N-th value).
    private static bool Covers(string documented, string key)
    {
        var (d, k) = (documented.Split(':'), key.Split(':'));
        bool Agree(int count) => Enumerable.Range(0, count).All(i =>
            Placeholders.ContainsKey(d[i]) || string.Equals(d[i], k[i], StringComparison.OrdinalIgnoreCase));
        return (d.Length == k.Length && Agree(d.Length))
               || (k.Length < d.Length && Agree(k.Length))
               || (k.Length == d.Length + 1 && int.TryParse(k[^1], out _) && Agree(d.Length));
    }

    [Fact]
    public void Every_setting_the_readme_names_is_read_by_a_loader()
    {
        var paths = ReadmePaths();
        var read = RecordedSettings.Read(paths.Select(Concrete).Distinct().ToDictionary(p => p, _ => "x"));
        var variables = RecordedSettings.Read(new Dictionary<string, string>());

        var unread = paths.Where(p => !read.Contains(Concrete(p))
                                      && !(p.Split(':')[^1] is var last && (Placeholders.ContainsKey(last) || int.TryParse(last, out _))
                                           && read.Contains(Concrete(p[..p.LastIndexOf(':')]))))
            .ToList();
        unread.AddRange(ServiceVariable().Matches(Text(Markdown.Readme)).Select(m => m.Value).Distinct()
            .Where(v => !variables.Contains(v)));
        Assert.True(unread.Count == 0, "named in the README, read by no loader: " + string.Join(", ", unread));
    }

    [Fact]
    public void Every_setting_a_loader_reads_is_in_the_readme()
    {
        var paths = ReadmePaths();
        var readme = Text(Markdown.Readme);
        var read = RecordedSettings.Read(paths.Select(Concrete).Distinct().ToDictionary(p => p, _ => "x"));

        var missing = read.Where(key => key.Contains(':')
                ? !paths.Any(p => Covers(p, key)) && !PairedVariableNamed(key, readme)
                : !Regex.IsMatch(readme, $@"\b{Regex.Escape(key)}\b"))
            .Order().ToList();
        Assert.True(missing.Count == 0, "read by a loader, not in the README: " + string.Join(", ", missing));
    }

    // A setting of the WebSocket, History and Cluster sections has a WEBSOCKET_*-style variable; the README may name that alone.
    // A retired one is named by its variable, where the README says what took its place.
    private static bool PairedVariableNamed(string key, string readme)
    {
        var name = key.StartsWith("WebSocket:", StringComparison.Ordinal) ? key["WebSocket:".Length..] : key.Replace(":", "");
        var variable = SwitchboardOptionsLoader.Variables.GetValueOrDefault(name)
                       ?? SwitchboardOptionsLoader.Retired.FirstOrDefault(r => r.Key == name).Variable;
        return variable is not null && Regex.IsMatch(readme, $@"\b{variable}\b");
    }

    [Fact]
    public void The_websocket_table_pairs_each_setting_with_its_variable_and_lists_them_all()
    {
        var rows = Markdown.Readme.TableRows(SettingsColumns)
            .Where(row => ServiceVariable().IsMatch(row[1]))
            .ToDictionary(row => Unquote(row[0]).Replace(":", ""), row => ServiceVariable().Match(row[1]).Value);
        var table = SwitchboardOptionsLoader.Variables
            .Concat(ClusterTlsSettingsLoader.Variables.Select(p => KeyValuePair.Create("ClusterTls" + p.Key, p.Value)))
            .ToDictionary(p => p.Key, p => p.Value);

        Assert.Equal(table.OrderBy(p => p.Key), rows.OrderBy(p => p.Key));
    }

    [Fact]
    public void The_rate_limiters_table_lists_every_setting_and_no_other()
    {
        var documented = Markdown.Doc("rate-limiting.md").TableRows("setting", "default", "meaning")
            .SelectMany(row => Unquote(row[0]).Split(", ")).Order();
        var settings = typeof(RateLimiterOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && p.GetCustomAttribute<JsonIgnoreAttribute>() is null).Select(p => p.Name).Order();

        Assert.Equal(settings, documented);
    }

    [Fact]
    public void Every_link_stays_inside_the_repository_and_finds_its_file_and_heading()
    {
        var root = ServiceProcess.RepositoryRoot;
        var broken = new List<string>();
        foreach (var file in Markdown.All())
        {
            var folder = Path.GetDirectoryName(file.Path)!;
            foreach (var link in file.LinkTargets().Where(t => !t.Contains("://", StringComparison.Ordinal) && !t.StartsWith("mailto:", StringComparison.Ordinal)))
            {
                var (target, anchor) = link.Split('#', 2) is [var t, var a] ? (t, a) : (link, null);
                var path = Path.GetFullPath(target.Length == 0 ? file.Path : Path.Combine(folder, Uri.UnescapeDataString(target)));
                if (!path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                    broken.Add($"{file.Name}: {link} leaves the repository");
                else if (!File.Exists(path) && !Directory.Exists(path))
                    broken.Add($"{file.Name}: {link} names no file");
                else if (anchor is not null && path.EndsWith(".md", StringComparison.Ordinal) && !new Markdown(path).Anchors().Contains(anchor))
                    broken.Add($"{file.Name}: {link} names no heading of {Path.GetRelativePath(root, path)}");
            }
            // A path written out rather than linked, `../somewhere`, must not leave the repository either.
            foreach (Match written in RelativePath().Matches(Text(file)))
            {
                if (!Path.GetFullPath(Path.Combine(folder, written.Groups["path"].Value)).StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                    broken.Add($"{file.Name}: `{written.Groups["path"].Value}` leaves the repository");
            }
        }
        Assert.True(broken.Count == 0, string.Join('\n', broken));
    }

    [Fact]
    public async Task The_run_it_lines_get_what_they_say_from_a_node()
    {
        var block = Markdown.Readme.CodeBlocks().First(b => b.Heading == "Run it" && b.Lines.Any(l => l.StartsWith("curl ", StringComparison.Ordinal))).Lines;
        var authority = node.Server.BaseUri.Authority;
        foreach (var line in block.Where(l => l.StartsWith("curl ", StringComparison.Ordinal)))
        {
            var said = CommentOf().Match(line);
            Assert.True(said.Success, line);
            var command = line[..said.Index].Replace("localhost:8080", authority);
            var (status, body) = await CurlAsync(command);
            var comment = said.Groups["comment"].Value;
            if (int.TryParse(comment, out var expected))
                Assert.True(status == expected, $"{line}: {status} {body}");
            else
                Assert.True(status == 200, $"{line}: {status} {body}");
            if (comment.StartsWith('{'))
                Assert.StartsWith(comment[..comment.IndexOf("...", StringComparison.Ordinal)], body);
        }

        // The python session: what it sends after "> ", what it gets after "< ", in order, <placeholders> standing for anything.
        var session = block.SkipWhile(l => !l.StartsWith("python3 -m websockets ", StringComparison.Ordinal)).ToList();
        var url = session[0].Split(' ', StringSplitOptions.RemoveEmptyEntries)[3].Replace("localhost:8080", authority);
        await using var client = await Client.ConnectAsync(new Uri(url));
        var received = new Queue<string>([client.Welcome.GetRawText()]);
        foreach (var line in session.Skip(1))
        {
            if (line.StartsWith("> ", StringComparison.Ordinal))
            {
                await client.SendAsync(line[2..]);
                continue;
            }
            Assert.StartsWith("< ", line);
            var pattern = Placeholder().Replace(Regex.Escape(line[2..]), "[^\"]+");
            var frame = received.Count > 0 ? received.Dequeue() : await client.ReceiveTextAsync();
            // The curl lines' broadcast was accepted (202), not delivered, before this client connected: on a busy
            // machine it may still reach it. It is not one of the session's lines, unless one says so.
            while (IsTheCurlBroadcast(frame) && !Regex.IsMatch(frame!, $"^{pattern}$"))
                frame = await client.ReceiveTextAsync();
            Assert.Matches($"^{pattern}$", frame);
        }
    }

    private static bool IsTheCurlBroadcast(string? frame) =>
        frame?.StartsWith("""{"type":"notice","data":"hello all",""", StringComparison.Ordinal) == true;

    private static async Task<(int Status, string Body)> CurlAsync(string command)
    {
        var info = new ProcessStartInfo("bash") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(command + " -sS -w '\\n%{http_code}'");
        using var curl = Process.Start(info)!;
        var output = await curl.StandardOutput.ReadToEndAsync();
        await curl.WaitForExitAsync();
        var end = output.LastIndexOf('\n');
        return (int.Parse(output[(end + 1)..]), output[..end]);
    }

    [Fact]
    public async Task The_token_minting_sample_mints_a_token_the_nodes_check_takes()
    {
        var block = Markdown.Readme.CodeBlocks().Select(b => b.Lines).First(l => l.Any(x => x.Contains("python3 -c", StringComparison.Ordinal)));
        var script = string.Join('\n', block.Select(l => l.Trim()));
        var secret = Regex.Match(script, "SECRET='(?<secret>[^']+)'").Groups["secret"].Value;
        var info = new ProcessStartInfo("bash") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(script);
        using var python = Process.Start(info)!;
        var token = (await python.StandardOutput.ReadToEndAsync()).Trim();
        await python.WaitForExitAsync();
        Assert.True(python.ExitCode == 0, await python.StandardError.ReadToEndAsync());

        using var validator = new TokenValidator(new JwtOptions { Secret = secret }, TimeSpan.FromSeconds(1), new HttpClient(),
            NullLogger<TokenValidator>.Instance, TimeProvider.System);
        var (verified, refusal) = await validator.CheckAsync(token);

        Assert.True(refusal is null, refusal?.Message);
        Assert.Equal("alice", verified!.Subject);
        Assert.InRange(verified.Expires - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(58), TimeSpan.FromHours(1));
    }

    [Fact]
    public async Task The_cli_docs_keys_new_sample_is_what_sbctl_prints()
    {
        var sample = SbctlSample.In(Markdown.Doc("cli.md")).Single(s => s.Arguments is ["keys", "new", ..] && s.Output.Count > 0);
        var run = await Sbctl.RunAsync(sample.Arguments);
        var key = KeyLine().Match(run.Stdout).Groups["key"].Value;

        Assert.True(run.ExitCode == 0, run.ToString());
        var printed = run.Stdout.Replace(Switchboard.Contracts.ApiKeys.DigestForm(key), "<digest>").Replace(key, "<key>");
        Assert.Equal(sample.Output, printed.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public void The_rate_limiting_doc_says_what_rate_the_compose_file_sets()
    {
        var rate = ComposeFile.Load().Environment("node1")["RateLimiter__Rate"];
        Assert.Contains($"`RateLimiter__Rate={rate}`", Text(Markdown.Doc("rate-limiting.md")));
    }

    [GeneratedRegex(@"\b[A-Z][A-Za-z]+(?:__[A-Za-z0-9]+)+\b")]
    private static partial Regex SectionVariable();

    [GeneratedRegex(@"\b(?:WEBSOCKET|HISTORY|CLUSTER)_[A-Z][A-Z0-9_]*[A-Z0-9]\b")]
    private static partial Regex ServiceVariable();

    [GeneratedRegex(@"(?<![\w/.])(?<path>(?:\.\./)+[\w./-]*)")]
    private static partial Regex RelativePath();

    [GeneratedRegex(@"\s+#\s+(?<comment>.*)$")]
    private static partial Regex CommentOf();

    [GeneratedRegex(@"<[^<>]+>")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"^  (?<key>sb_\S+)$", RegexOptions.Multiline)]
    private static partial Regex KeyLine();
}

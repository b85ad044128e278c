using System.Text.Json;
using Spectre.Console.Testing;

namespace Switchboard.Cli.Tests.Support;

/// <summary>What one in-process run of sbctl's command line left.</summary>
/// <param name="Rendered">what the commands drew on the console (tables, lines): stdout in the real tool.</param>
/// <param name="Stdout">what went to the stdout writer: JSON with <c>--json</c>, and help.</param>
public sealed record SbctlRun(int ExitCode, string Rendered, string Stdout, string Stderr)
{
    public bool NothingOnStdout => Rendered.Length == 0 && Stdout.Length == 0;

    public JsonElement Json() => JsonDocument.Parse(Stdout).RootElement.Clone();

    /// <summary>The one rendered line that contains <paramref name="text"/>.</summary>
    public string Line(string text) => Assert.Single(Rendered.Split('\n'), l => l.Contains(text, StringComparison.Ordinal));

    public override string ToString() => $"exit {ExitCode}\n--- rendered\n{Rendered}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>
/// sbctl's whole command tree (<see cref="SbctlCommandLine"/>), run in this process as <c>Program</c> runs it, but with
/// a test console, string writers, and an environment of the test's own (empty unless given), so that tests can run in
/// parallel and SBCTL_NODE or SBCTL_KEY on the machine changes nothing.
/// </summary>
public static class InProcessSbctl
{
    public static async Task<SbctlRun> RunAsync(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null,
        TestConsole? console = null, bool interactive = false, CancellationToken cancel = default)
    {
        console ??= NewConsole();
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var commandLine = new SbctlCommandLine(new Session(interactive, console), console, stdout, stderr,
            environment: name => environment?.GetValueOrDefault(name));
        var exit = await commandLine.RunAsync([.. args], cancel);
        return new SbctlRun(exit, console.Output, stdout.ToString(), stderr.ToString());
    }

    public static Task<SbctlRun> RunAsync(params string[] args) => RunAsync(args, environment: null);

    /// <summary>As wide as sbctl makes a piped console, so that a table keeps one row a line.</summary>
    public static TestConsole NewConsole() => new TestConsole().Width(240);
}

using System.Diagnostics;
using System.Reflection;
using System.Text.Json;

namespace Switchboard.IntegrationTests.Support;

/// <summary>What one run of sbctl left: its exit status and everything it wrote.</summary>
public sealed record SbctlResult(int ExitCode, string Stdout, string Stderr)
{
    public JsonElement Json() => JsonDocument.Parse(Stdout).RootElement.Clone();

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>
/// The real sbctl, built with this project (a ProjectReference that is not loaded), run as <c>dotnet sbctl.dll</c> in
/// its own process with its output captured. Its environment carries no SBCTL_* variable unless a test sets one.
/// </summary>
public static class Sbctl
{
    // A hang guard, far above any command's run; a run that reaches it is killed and fails its test.
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(90);

    public static string Dll { get; } = Locate();

    /// <param name="stdin">lines for sbctl's standard input (its prompt, piped); none when null.</param>
    public static async Task<SbctlResult> RunAsync(IEnumerable<string> args, IDictionary<string, string>? environment = null,
        string? stdin = null)
    {
        using var process = new Process { StartInfo = StartInfo(args, environment) };
        process.StartInfo.RedirectStandardOutput = true;
        process.StartInfo.RedirectStandardError = true;
        process.StartInfo.RedirectStandardInput = true;
        process.Start();
        if (stdin is not null)
            await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var guard = new CancellationTokenSource(HangGuard);
        try
        {
            await process.WaitForExitAsync(guard.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"sbctl {string.Join(' ', args)} did not exit; stdout so far: {await stdout}");
        }
        return new SbctlResult(process.ExitCode, await stdout, await stderr);
    }

    public static Task<SbctlResult> RunAsync(params string[] args) => RunAsync(args, null);

    /// <summary>The command line that runs sbctl with <paramref name="args"/>, for a terminal (<see cref="Tmux"/>).</summary>
    public static string CommandLine(IEnumerable<string> args) =>
        string.Join(' ', new[] { "dotnet", Dll }.Concat(args).Select(Tmux.Quote));

    private static ProcessStartInfo StartInfo(IEnumerable<string> args, IDictionary<string, string>? environment)
    {
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false };
        start.ArgumentList.Add(Dll);
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        start.Environment.Remove("SBCTL_NODE");
        start.Environment.Remove("SBCTL_KEY");
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            start.Environment[name] = value;
        return start;
    }

    private static string Locate()
    {
        var path = typeof(Sbctl).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "SbctlDll").Value!;
        if (!File.Exists(path))
            throw new FileNotFoundException($"sbctl was not built where the test project expects it (build Akka.sln): {path}", path);
        return path;
    }
}

/// <summary>
/// A streaming sbctl (<c>cluster tail --json</c>, <c>top --json</c>) still running: its stdout line by line. Disposing
/// stops it by its process id.
/// </summary>
public sealed class SbctlStream : IAsyncDisposable
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);
    private readonly Process _process;

    private SbctlStream(Process process) => _process = process;

    public static SbctlStream Start(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true,
        };
        start.ArgumentList.Add(Sbctl.Dll);
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        start.Environment.Remove("SBCTL_NODE");
        start.Environment.Remove("SBCTL_KEY");
        var process = Process.Start(start)!;
        process.StandardInput.Close();
        return new SbctlStream(process);
    }

    /// <summary>The next line of stdout, as JSON; fails with stderr when the stream ends first.</summary>
    public async Task<JsonElement> ReadJsonLineAsync()
    {
        using var guard = new CancellationTokenSource(HangGuard);
        var line = await _process.StandardOutput.ReadLineAsync(guard.Token)
            ?? throw new InvalidOperationException("sbctl ended its output: " + await _process.StandardError.ReadToEndAsync());
        return JsonDocument.Parse(line).RootElement.Clone();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}

using System.Diagnostics;

namespace Switchboard.IntegrationTests.Support;

/// <summary>What one run of a program left: its command line, exit status and everything it wrote.</summary>
public sealed record CommandResult(string CommandLine, int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"{CommandLine}: exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>
/// A program (dotnet, npm, node, a tool) run to its end in a folder, with its output captured. A run that outlives the
/// hang guard is killed by its process id, with its children, and fails its test.
/// </summary>
public static class Command
{
    // Far above any run here; a restore through a cold package mirror is the slowest.
    private static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(4);

    /// <param name="environment">variables to set, and to remove where the value is null.</param>
    public static async Task<CommandResult> RunAsync(string program, IEnumerable<string> args, string workingDirectory,
        IDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
                start.Environment.Remove(name);
            else
                start.Environment[name] = value;
        }
        var commandLine = string.Join(' ', start.ArgumentList.Prepend(program));
        using var process = Process.Start(start)!;
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
            await process.WaitForExitAsync();
            throw new TimeoutException($"{commandLine} did not exit; stdout so far:\n{await stdout}");
        }
        return new CommandResult(commandLine, process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Runs the program and fails the test, with its output, unless it exits 0.</summary>
    public static async Task<CommandResult> SucceedAsync(string program, IEnumerable<string> args, string workingDirectory,
        IDictionary<string, string?>? environment = null)
    {
        var run = await RunAsync(program, args, workingDirectory, environment);
        Assert.True(run.ExitCode == 0, run.ToString());
        return run;
    }
}

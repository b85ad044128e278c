using System.Diagnostics;

namespace Switchboard.IntegrationTests.Support;

/// <summary>
/// A real terminal for a program that needs one (sbctl's prompt, <c>sbctl top</c>): a tmux server of its own on a
/// private socket, one window, keys sent with <c>send-keys</c> and the screen read with <c>capture-pane</c>. Panes stay
/// after their program exits, so that its exit status can be read.
/// </summary>
public sealed class Tmux : IAsyncDisposable
{
    private const string Session = "sbctl";
    // Written by the shell after the program, so that its status is on the screen whatever tmux's version reports.
    private const string ExitMarker = "[tmux-test: exited ";
    private readonly string _socket = "sbctl-test-" + Guid.NewGuid().ToString("N")[..12];
    private readonly string _config = Path.Combine(Path.GetTempPath(), $"tmux-{Guid.NewGuid():N}.conf");

    private Tmux()
    {
    }

    /// <summary>A terminal of <paramref name="width"/> × <paramref name="height"/> running <paramref name="commandLine"/> (a shell line).</summary>
    public static async Task<Tmux> StartAsync(string commandLine, int width = 160, int height = 50)
    {
        var tmux = new Tmux();
        await File.WriteAllTextAsync(tmux._config, "set -g remain-on-exit on\nset -g history-limit 20000\n");
        await tmux.RunAsync("-f", tmux._config, "new-session", "-d", "-s", Session, "-x", width.ToString(), "-y", height.ToString(),
            $"env -u SBCTL_NODE -u SBCTL_KEY {commandLine}; echo \"{ExitMarker}$?]\"");
        return tmux;
    }

    /// <summary>Types <paramref name="text"/> literally, then Enter.</summary>
    public async Task TypeLineAsync(string text)
    {
        await RunAsync("send-keys", "-t", Session, "-l", text);
        await RunAsync("send-keys", "-t", Session, "Enter");
    }

    /// <summary>Sends keys by tmux's names (<c>q</c>, <c>C-c</c>, <c>Enter</c>).</summary>
    public Task KeysAsync(params string[] keys) => RunAsync(["send-keys", "-t", Session, .. keys]);

    /// <summary>The whole pane, scrollback included, lines joined where the terminal wrapped them.</summary>
    public Task<string> ScreenAsync() => RunAsync("capture-pane", "-p", "-J", "-S", "-", "-t", Session);

    /// <summary>Waits until the screen satisfies <paramref name="condition"/>; the screen, for the test's assertions.</summary>
    public async Task<string> WaitForAsync(Func<string, bool> condition, string what)
    {
        var screen = "";
        try
        {
            await Eventually.TrueAsync(async () => condition(screen = await ScreenAsync()), what);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}; the screen:\n{screen}", e);
        }
        return screen;
    }

    public Task<string> WaitForTextAsync(string text) => WaitForAsync(s => s.Contains(text, StringComparison.Ordinal), $"the screen shows \"{text}\"");

    /// <summary>Waits for the program to exit and gives its status.</summary>
    public async Task<int> ExitCodeAsync()
    {
        var screen = await WaitForTextAsync(ExitMarker);
        var from = screen.LastIndexOf(ExitMarker, StringComparison.Ordinal) + ExitMarker.Length;
        return int.Parse(screen[from..screen.IndexOf(']', from)]);
    }

    /// <summary>A word for a shell line, single-quoted.</summary>
    public static string Quote(string word) => "'" + word.Replace("'", "'\\''") + "'";

    private async Task<string> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo("tmux") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-L");
        start.ArgumentList.Add(_socket);
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"tmux {string.Join(' ', args)} failed: {await stderr}");
        return await stdout;
    }

    // The server on this socket is this instance's alone: ending it ends the program it runs, and nothing else.
    public async ValueTask DisposeAsync()
    {
        try
        {
            await RunAsync("kill-server");
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
        File.Delete(_config);
    }
}

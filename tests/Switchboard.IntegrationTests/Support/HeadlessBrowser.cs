using System.Diagnostics;
using System.Text;

namespace Switchboard.IntegrationTests.Support;

/// <summary>
/// A real headless Chromium (Debian's <c>chromium</c> package; ./test.sh installs it) that opens one page,
/// with a profile of its own, and is killed by its process id once the test has what it waited for.
/// </summary>
public static class HeadlessBrowser
{
    private static readonly string[] Candidates = ["chromium", "chromium-browser", "google-chrome"];

    /// <summary>The browser on PATH; the test fails, never skips, without one.</summary>
    public static string Executable =>
        Candidates.Select(OnPath).FirstOrDefault(path => path is not null)
        ?? throw new InvalidOperationException(
            "headless Chromium is needed for this test and was not found on PATH (chromium): run ./test.sh, which " +
            "installs it, or install it yourself (apt-get install chromium)");

    /// <summary>
    /// Opens <paramref name="page"/> and waits until <paramref name="until"/> completes, the browser exits, or
    /// <see cref="Eventually.Deadline"/> has passed; then kills the browser. Returns what the browser printed.
    /// </summary>
    public static async Task<string> OpenAsync(Uri page, Task until)
    {
        var profile = Directory.CreateTempSubdirectory("switchboard-chromium-");
        var info = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in Arguments(profile.FullName))
            info.ArgumentList.Add(argument);
        info.ArgumentList.Add(page.ToString());

        var output = new StringBuilder();
        using var browser = new Process { StartInfo = info };
        browser.OutputDataReceived += (_, e) => Append(output, e.Data);
        browser.ErrorDataReceived += (_, e) => Append(output, e.Data);
        browser.Start();
        browser.BeginOutputReadLine();
        browser.BeginErrorReadLine();
        try
        {
            await Task.WhenAny(until, browser.WaitForExitAsync(), Task.Delay(Eventually.Deadline));
        }
        finally
        {
            if (!browser.HasExited)
                browser.Kill(entireProcessTree: true); // this browser's own processes, by its id
            await browser.WaitForExitAsync();
            try
            {
                profile.Delete(recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // a renderer still closing its files; the folder is in the temp directory
            }
        }
        lock (output)
            return output.ToString();
    }

    private static IEnumerable<string> Arguments(string profile) =>
        ["--headless", $"--user-data-dir={profile}", .. Flags];

    /// <summary>What every test browser runs with, whoever launches it: no sandbox (root in a container), loopback only, quiet.</summary>
    public static readonly string[] Flags =
    [
        "--no-sandbox", // as root in a container, which has no user namespaces for Chromium's sandbox
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--no-default-browser-check",
        // Loopback only: no name but localhost resolves, and the browser's own services stay quiet.
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-default-apps",
        "--disable-extensions",
        "--disable-domain-reliability",
        "--disable-client-side-phishing-detection",
        "--disable-breakpad",
        "--no-pings",
    ];

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
            return;
        lock (output)
            output.AppendLine(line);
    }

    private static string? OnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
        .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
        .Select(folder => Path.Combine(folder, name))
        .FirstOrDefault(File.Exists);
}

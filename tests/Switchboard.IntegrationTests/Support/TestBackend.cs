using System.Diagnostics;
using System.Net.Http.Json;
using System.Reflection;
using System.Text.Json;

namespace Switchboard.IntegrationTests.Support;

/// <summary>
/// The application backend (tests/Switchboard.TestBackend) as its own process on a loopback port: it answers hooks as its
/// <c>Hooks</c> class says, keeps the lifecycle events it takes, and checks every signature with its own code. Stopped
/// (and started again on the same port) by the tests that take it down; disposed by its process id.
/// </summary>
public sealed class TestBackend : IAsyncDisposable
{
    /// <summary>The secret the tests configure as <c>Hooks:Secrets</c> (at least 32 bytes).</summary>
    public const string Secret = "test-backend-secret-0123456789abcdef";

    private static readonly string Dll = typeof(TestBackend).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "TestBackendDll").Value!;

    private readonly HttpClient _http = new();
    private Process? _process;

    private TestBackend(int port) => BaseUri = new Uri($"http://127.0.0.1:{port}");

    public Uri BaseUri { get; }

    /// <summary>The URL of a hook's endpoint, for <c>Hooks:&lt;Hook&gt;:Url</c>.</summary>
    public string HookUrl(string hook) => new Uri(BaseUri, $"/hooks/{hook}").ToString();

    public string EventsUrl => new Uri(BaseUri, "/events").ToString();

    /// <summary>The settings that point every hook named in <paramref name="hooks"/> here, signed with <see cref="Secret"/>.</summary>
    public Dictionary<string, string> Settings(params string[] hooks)
    {
        var settings = new Dictionary<string, string> { ["Hooks__Secrets"] = Secret };
        foreach (var hook in hooks)
            settings[$"Hooks__{char.ToUpperInvariant(hook[0])}{hook[1..]}__Url"] = HookUrl(hook);
        return settings;
    }

    public static async Task<TestBackend> StartAsync()
    {
        var backend = new TestBackend(ServiceProcess.FreePort());
        await backend.StartAgainAsync();
        return backend;
    }

    /// <summary>Starts the process (again, on the same port) and waits until it answers.</summary>
    public async Task StartAgainAsync()
    {
        if (!File.Exists(Dll))
            throw new FileNotFoundException($"the test backend was not built where the tests expect it (build Akka.sln): {Dll}");
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Dll, "--urls", BaseUri.ToString().TrimEnd('/'), "--secret", Secret })
            start.ArgumentList.Add(arg);
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await Eventually.TrueAsync(async () =>
        {
            try { return (await _http.GetAsync(new Uri(BaseUri, "/control/health"))).IsSuccessStatusCode; }
            catch (HttpRequestException) { return false; }
        }, "the test backend answers");
    }

    /// <summary>Stops the process (by its id) and waits for it: the backend is down.</summary>
    public async Task StopAsync()
    {
        if (_process is not { HasExited: false } process)
            return;
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }

    public Task DelayAsync(string hook, int ms) => _http.PostAsync(new Uri(BaseUri, $"/control/delay?hook={hook}&ms={ms}"), null);

    public Task StatusAsync(string hook, int code) => _http.PostAsync(new Uri(BaseUri, $"/control/status?hook={hook}&code={code}"), null);

    /// <summary>The calls the backend took for <paramref name="hook"/> (every one, when null), oldest first.</summary>
    public async Task<JsonElement[]> CallsAsync(string? hook = null) =>
        await _http.GetFromJsonAsync<JsonElement[]>(new Uri(BaseUri, hook is null ? "/control/calls" : $"/control/calls?hook={hook}")) ?? [];

    /// <summary>Every lifecycle event the backend took, duplicates included, in the order they came.</summary>
    public async Task<JsonElement[]> EventsAsync() =>
        await _http.GetFromJsonAsync<JsonElement[]>(new Uri(BaseUri, "/control/events")) ?? [];

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _http.Dispose();
    }
}

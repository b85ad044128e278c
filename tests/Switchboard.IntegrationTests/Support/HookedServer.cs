namespace Switchboard.IntegrationTests.Support;

/// <summary>
/// A real backend process and a node that asks it: the join, publish and rpc hooks by URL, the namespace <c>hooked</c> with
/// <c>JoinHook</c> and <c>PublishHook</c>, <c>plain</c> with neither, and direct messages published through the hook.
/// Shared by a class's tests; a test that stops the backend has its own.
/// </summary>
public sealed class HookedServer : IAsyncLifetime
{
    public TestBackend Backend { get; private set; } = null!;
    public SwitchboardServer Server { get; private set; } = null!;

    /// <summary>Settings beyond the hooks' URLs, for a class about one of them.</summary>
    public static Dictionary<string, string?> Configuration(TestBackend backend, IDictionary<string, string>? extra = null)
    {
        var settings = backend.Settings("join", "publish", "rpc").ToDictionary(e => e.Key.Replace("__", ":"), e => (string?)e.Value);
        settings["Namespaces:Rules:hooked:JoinHook"] = "true";
        settings["Namespaces:Rules:hooked:PublishHook"] = "true";
        settings["Namespaces:Rules:plain:HistorySize"] = "0";
        settings["Hooks:Publish:Direct"] = "true";
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
            settings[key] = value;
        return settings;
    }

    public async Task InitializeAsync()
    {
        Backend = await TestBackend.StartAsync();
        Server = await SwitchboardServer.StartAsync(configuration: Configuration(Backend));
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await Backend.DisposeAsync();
    }
}

namespace Switchboard.Client.Tests.Support;

/// <summary>A service node for a test class (<c>IClassFixture</c>): started with the service's defaults plus a class's settings.</summary>
public abstract class Node : IAsyncLifetime
{
    protected abstract IDictionary<string, string> Settings { get; }

    public ServiceProcess Process { get; private set; } = null!;

    public Uri Ws => Process.WebSocketUri();

    public async Task InitializeAsync()
    {
        Process = ServiceProcess.Start(new Dictionary<string, string>(Settings));
        await Process.WaitUntilHealthyAsync();
    }

    /// <summary>SIGTERM, as an orchestrator stopping the node does (it closes its connections with 1001); returns once it is gone.</summary>
    public async Task StopAsync()
    {
        Process.Terminate();
        await Process.WaitForExitAsync();
    }

    /// <summary>A new process on the same port with the same settings, once <see cref="StopAsync"/> returned.</summary>
    public async Task StartAgainAsync()
    {
        var stopped = Process;
        Process = stopped.StartAgain();
        await stopped.DisposeAsync();
        await Process.WaitUntilHealthyAsync();
    }

    public async Task DisposeAsync() => await Process.DisposeAsync();
}

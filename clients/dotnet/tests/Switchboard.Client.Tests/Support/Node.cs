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

    public async Task DisposeAsync() => await Process.DisposeAsync();
}

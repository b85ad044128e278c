using Switchboard.Service.Settings;

namespace Switchboard.IntegrationTests.Support;

/// <summary>One server for a whole test class; derive to give it settings.</summary>
public class ServerFixture(Func<SwitchboardOptions, SwitchboardOptions>? configure) : IAsyncLifetime
{
    public ServerFixture() : this(null)
    {
    }

    public SwitchboardServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await SwitchboardServer.StartAsync(configure);

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

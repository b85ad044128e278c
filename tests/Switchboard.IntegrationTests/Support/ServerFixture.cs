using Switchboard.Service.Settings;

namespace Switchboard.IntegrationTests.Support;

/// <summary>One server for a whole test class; derive and override <see cref="Configure"/> to give it settings.</summary>
public class ServerFixture : IAsyncLifetime
{
    public SwitchboardServer Server { get; private set; } = null!;

    protected virtual Func<SwitchboardOptions, SwitchboardOptions>? Configure => null;

    public async Task InitializeAsync() => Server = await SwitchboardServer.StartAsync(Configure);

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

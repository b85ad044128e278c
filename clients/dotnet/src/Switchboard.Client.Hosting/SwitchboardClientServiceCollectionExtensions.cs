using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Switchboard.Client.Hosting;

/// <summary>Registers a <see cref="SwitchboardClient"/> that connects when the host starts and closes when it stops.</summary>
public static class SwitchboardClientServiceCollectionExtensions
{
    /// <summary>
    /// Adds a singleton <see cref="SwitchboardClient"/> with its options bound from <paramref name="configuration"/>
    /// (<c>Urls</c>, <c>UserId</c>, <c>Token</c>, <c>Groups</c>, <c>PingInterval</c>, <c>Reconnect:MaxDelay</c>, ...), then
    /// <paramref name="configure"/> for what configuration cannot hold (a token source, the socket's options); and a
    /// hosted service that connects it when the host starts, without holding the start up while the service is out of
    /// reach, and closes it when the host stops.
    /// </summary>
    public static IServiceCollection AddSwitchboardClient(this IServiceCollection services, IConfiguration configuration,
        Action<IServiceProvider, SwitchboardClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<SwitchboardClientOptions>().Configure(options => ClientConfiguration.Bind(configuration, options));
        if (configure is not null)
            services.AddOptions<SwitchboardClientOptions>().PostConfigure<IServiceProvider>((options, provider) => configure(provider, options));
        services.AddSingleton(provider => new SwitchboardClient(
            provider.GetRequiredService<IOptions<SwitchboardClientOptions>>().Value,
            provider.GetService<ILogger<SwitchboardClient>>()));
        services.AddHostedService<SwitchboardClientService>();
        return services;
    }
}

/// <summary>Connects the client as the host starts and closes it as the host stops.</summary>
internal sealed partial class SwitchboardClientService(SwitchboardClient client, ILogger<SwitchboardClientService> logger) : IHostedService
{
    private Task? _connecting;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Not awaited: the client keeps trying by its reconnect rules, and the host serves meanwhile.
        _connecting = ConnectAsync();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await client.CloseAsync().ConfigureAwait(false);
        if (_connecting is not null) await _connecting.ConfigureAwait(false);
    }

    private async Task ConnectAsync()
    {
        try
        {
            await client.ConnectAsync().ConfigureAwait(false);
        }
        catch (SwitchboardException e) when (e.Code != SwitchboardException.Codes.Closed)
        {
            StoppedBeforeWelcome(logger, e.Code, e.Message);
        }
        catch (SwitchboardException)
        {
            // closed as the host stopped
        }
    }

    [LoggerMessage(1, LogLevel.Error, "The Switchboard client stopped before its first welcome: {Code}: {Message}")]
    private static partial void StoppedBeforeWelcome(ILogger logger, string code, string message);
}

using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Switchboard.Service.Http;

namespace Switchboard.Service.Hosting;

public static class TransportUpgradeExtensions
{
    /// <summary>
    /// Upgrades WebSocket requests to the hub at <paramref name="path"/> (as given to <c>MapSwitchboard</c>)
    /// below Kestrel's HTTP layer on every endpoint (<see cref="TransportUpgrade"/>). Such upgrades skip the
    /// app's own HTTP middleware; the hub's rate limiter is honoured. Sets Kestrel's endpoint defaults.
    /// </summary>
    public static IWebHostBuilder UseSwitchboardTransportUpgrades(this IWebHostBuilder builder, string path = "/ws") =>
        builder.ConfigureKestrel(kestrel => kestrel.ConfigureEndpointDefaults(listen => listen.UseSwitchboardTransportUpgrades(path)));

    /// <summary>
    /// The same for one endpoint. With TLS, call it after <c>UseHttps</c>, so that it reads the decrypted request.
    /// </summary>
    public static ListenOptions UseSwitchboardTransportUpgrades(this ListenOptions listen, string path = "/ws")
    {
        listen.Use(next => new TransportUpgrade(next, path, listen.ApplicationServices).OnConnectionAsync);
        return listen;
    }
}

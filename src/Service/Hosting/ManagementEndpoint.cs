using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Cluster;
using Akka.Management.Cluster.Bootstrap.ContactPoint;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Newtonsoft.Json;

namespace Switchboard.Service.Hosting;

/// <summary>
/// The node's management endpoint: the one route that the other nodes' Cluster Bootstrap probes,
/// <c>GET /bootstrap/seed-nodes</c>, answered as Akka.Management's own route answers it (the members this node sees Up,
/// WeaklyUp or Joining and reachable, at most <c>max-seed-nodes-to-expose</c>; none while it leaves). Every other
/// request gets 404 (405 for another method on that path). Served by a Kestrel of its own on the remoting address,
/// apart from the client-facing host, because Akka.Management's HTTP server cannot start here: Akka.Http.Shim 1.5.73
/// calls Ceen.Httpd 0.9.9's <c>HttpServer.ListenAsync(IPEndPoint, …)</c>, and the only Ceen.Httpd served is 0.9.10,
/// whose <c>ListenAsync</c> takes an <c>EndPoint</c> (a MissingMethodException when management starts).
/// </summary>
public sealed class ManagementEndpoint : IAsyncDisposable
{
    public const string SeedNodesPath = "/bootstrap/seed-nodes";

    // Only the other nodes call, one probe each every few seconds: a bound keeps anyone else who reaches the port
    // from holding sockets without end.
    private const int MaxConnections = 64;

    private readonly WebApplication _app;

    private ManagementEndpoint(WebApplication app) => _app = app;

    /// <exception cref="IOException">The port is taken on that address.</exception>
    public static async Task<ManagementEndpoint> StartAsync(ActorSystem system, string hostname, int port, int maxSeedNodes)
    {
        var addresses = await AddressesOf(hostname);
        // The empty builder reads no configuration: ASPNETCORE_URLS and the app's Kestrel settings are the client side's.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        // Its host would log a failed bind as a trace of its own; the caller says what it means, in one line.
        builder.Services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        builder.Services.AddRoutingCore();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            foreach (var address in addresses)
                kestrel.Listen(address, port);
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxConcurrentConnections = MaxConnections;
            kestrel.Limits.MaxRequestBodySize = 0;
        });
        var app = builder.Build();
        var cluster = Cluster.Get(system);
        app.MapGet(SeedNodesPath, () => Results.Text(SeedNodes(cluster, maxSeedNodes), "application/json"));
        await app.StartAsync();
        return new ManagementEndpoint(app);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static async Task<IReadOnlyList<IPAddress>> AddressesOf(string hostname) =>
        IPAddress.TryParse(hostname, out var address)
            ? [address]
            : (await Dns.GetHostAddressesAsync(hostname))
            .Where(a => a.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)
            .Distinct()
            .ToList();

    // Serialized with Akka.Management's own types and Newtonsoft.Json, as its prober reads them.
    private static string SeedNodes(Cluster cluster, int maxSeedNodes)
    {
        var self = cluster.SelfMember;
        var state = cluster.State;
        var members = self.Status is MemberStatus.Down or MemberStatus.Leaving or MemberStatus.Exiting or MemberStatus.Removed
            ? ImmutableList<HttpBootstrapJsonProtocol.ClusterMember>.Empty
            : state.Members
                .Where(m => !state.Unreachable.Contains(m) && m.Status is MemberStatus.Up or MemberStatus.WeaklyUp or MemberStatus.Joining)
                .Take(maxSeedNodes)
                .Select(m => new HttpBootstrapJsonProtocol.ClusterMember(m.UniqueAddress.Address, m.UniqueAddress.Uid, m.Status, m.Roles))
                .ToImmutableList();
        return JsonConvert.SerializeObject(new HttpBootstrapJsonProtocol.SeedNodes(self.UniqueAddress.Address, members));
    }
}

using System.Net;
using System.Net.Sockets;
using Akka;
using Akka.Actor;
using Akka.Cluster;
using Akka.Discovery.Config.Hosting;
using Akka.Discovery.KubernetesApi;
using Akka.Hosting;
using Akka.Management;
using Akka.Management.Cluster.Bootstrap;
using Akka.Management.Dsl;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Switchboard.Service.Settings;
using DiscoveryService = Akka.Discovery.Config.Hosting.Service;

namespace Switchboard.Service.Hosting;

/// <summary>
/// How a node finds its cluster (docs/cluster.md, "Bootstrap"). With discovery <c>seeds</c> Akka joins the seeds given
/// to <c>WithClustering</c>, and a node without seeds joins itself: a cluster of one, so the sharded entities run
/// unchanged. With <c>config</c> or <c>kubernetes</c> Akka's Cluster Bootstrap probes the other nodes' management
/// endpoints: it joins the cluster they report, or, when none reports one, the node with the lowest address forms it.
/// </summary>
public static class ClusterFormation
{
    /// <summary>The container port name bootstrap asks Kubernetes for: Akka's name for the management port.</summary>
    public const string ManagementPortName = "management";

    public static AkkaConfigurationBuilder AddClusterFormation(this AkkaConfigurationBuilder builder, SwitchboardOptions options,
        IServiceProvider services)
    {
        if (options.ClusterDiscovery == ClusterBootstrapValues.Seeds)
        {
            return options.ClusterSeeds.Count > 0
                ? builder
                : builder.AddStartup((system, _) =>
                {
                    var cluster = Cluster.Get(system);
                    cluster.Join(cluster.SelfAddress);
                });
        }
        // Akka.Management's settings only (the fallback port bootstrap assumes): its own HTTP server is never started,
        // ManagementEndpoint serves the one route bootstrap needs.
        builder.WithAkkaManagement(new AkkaManagementOptions { HostName = options.ClusterHostname, Port = options.ClusterManagementPort });
        if (options.ClusterDiscovery == ClusterBootstrapValues.Config)
        {
            builder.WithConfigDiscovery(new ConfigServiceDiscoveryOptions
            {
                Services = [new DiscoveryService { Name = options.ClusterDiscoveryServiceName, Endpoints = [.. options.ClusterDiscoveryEndpoints] }],
            });
        }
        else
        {
            builder.WithKubernetesDiscovery(new KubernetesDiscoveryOptions
            {
                PodLabelSelector = options.ClusterDiscoveryLabelSelector,
                PodNamespace = options.ClusterDiscoveryNamespace,
            });
        }
        builder.WithClusterBootstrap(new ClusterBootstrapOptions
        {
            ContactPointDiscovery =
            {
                ServiceName = options.ClusterDiscoveryServiceName,
                RequiredContactPointsNr = options.ClusterRequiredContacts,
                // Kubernetes lists each pod's ports; the named one is the management port. The config list names only
                // management endpoints.
                PortName = options.ClusterDiscovery == ClusterBootstrapValues.Kubernetes ? ManagementPortName : null,
            },
            // Several nodes on one host (a test, scripts/cluster.sh) differ by port only; by default bootstrap would keep
            // one config endpoint per host, the one on its own management port.
            ContactPoint = { FilterOnFallbackPort = false },
        }, autoStart: false);
        return builder.AddStartup((system, _) => StartBootstrapAsync(system, options, services));
    }

    private static async Task StartBootstrapAsync(ActorSystem system, SwitchboardOptions options, IServiceProvider services)
    {
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ClusterFormation));
        var bootstrap = ClusterBootstrap.Get(system);
        ManagementEndpoint endpoint;
        try
        {
            endpoint = await ManagementEndpoint.StartAsync(system, options.ClusterHostname, options.ClusterManagementPort,
                ClusterBootstrapSettings.Create(system.Settings.Config, system.Log).ContactPoint.MaxSeedNodesToExpose);
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            logger.LogError("The management endpoint cannot listen on {Host}:{Port} (CLUSTER_HOSTNAME, CLUSTER_MANAGEMENT_PORT), so this " +
                            "node cannot bootstrap; it exits with status {ExitCode}. {Reason}",
                options.ClusterHostname, options.ClusterManagementPort, NodeState.JoinFailedExitCode, e.Message);
            services.GetRequiredService<NodeState>().Down(NodeState.JoinFailedExitCode);
            // Stopped once started: a stop while the host starts cancels Kestrel's binding, and the host fails instead.
            var lifetime = services.GetRequiredService<IHostApplicationLifetime>();
            lifetime.ApplicationStarted.Register(lifetime.StopApplication);
            return;
        }
        CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate, "switchboard-management-stop",
            async () =>
            {
                await endpoint.DisposeAsync();
                return Done.Instance;
            });
        // Tells bootstrap its own contact point, as Akka.Management does when its server binds the routes (the routes
        // returned are for that server, unused here). The address is compared with the discovered contact points.
        var host = IPAddress.TryParse(options.ClusterHostname, out var ip) && ip.AddressFamily == AddressFamily.InterNetworkV6
            ? $"[{options.ClusterHostname}]"
            : options.ClusterHostname;
        _ = bootstrap.Routes(ManagementRouteProviderSettings.Create(new Uri($"http://{host}:{options.ClusterManagementPort}/"), readOnly: true));
        await bootstrap.Start();
    }
}

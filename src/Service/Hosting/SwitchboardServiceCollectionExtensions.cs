using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Remote.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Switchboard.Actors.Hub;
using Switchboard.Service.Settings;
using Switchboard.Streams;
using Switchboard.Streams.Outbound;

namespace Switchboard.Service.Hosting;

public static class SwitchboardServiceCollectionExtensions
{
    public const string ActorSystemName = "switchboard";

    /// <summary>
    /// Adds the hub: its settings (from configuration, overlaid by <paramref name="configure"/>),
    /// an actor system that is a cluster of one unless told otherwise, and the connection hub.
    /// Map its endpoints with <c>MapSwitchboard</c>.
    /// </summary>
    public static IServiceCollection AddSwitchboard(this IServiceCollection services,
        Func<SwitchboardOptions, SwitchboardOptions>? configure = null)
    {
        services.AddSingleton(sp => SwitchboardOptionsLoader.Load(sp.GetRequiredService<IConfiguration>(), configure));
        services.AddSingleton<NodeState>();
        // The host must outlast the drain, then the actor system's leave and Kestrel's stop.
        services.AddOptions<HostOptions>().Configure<SwitchboardOptions>((host, hub) =>
            host.ShutdownTimeout = hub.ShutdownTimeout + TimeSpan.FromSeconds(15));
        // Registered before Akka so that its StartingAsync validates the settings first.
        services.AddHostedService<SwitchboardLifecycle>();
        services.AddAkka(ActorSystemName, (builder, _) => builder
            .AddHocon(SwitchboardHocon.Load(), HoconAddMode.Append)
            .ConfigureLoggers(loggers => loggers.AddLoggerFactory())
            // Port 0: each standalone node takes a free loopback port, so several run side by side.
            .WithRemoting(new RemoteOptions { HostName = "127.0.0.1", Port = 0 })
            .WithClustering(new ClusterOptions())
            .AddStartup((system, _) =>
            {
                var cluster = Cluster.Get(system);
                cluster.Join(cluster.SelfAddress);
            }));
        services.AddSingleton(sp =>
        {
            var system = sp.GetRequiredService<ActorSystem>();
            var self = Cluster.Get(system).SelfAddress;
            return new ConnectionHub(system, ToHubOptions(sp.GetRequiredService<SwitchboardOptions>()), $"{self.Host}:{self.Port}");
        });
        return services;
    }

    private static HubOptions ToHubOptions(SwitchboardOptions o) => new()
    {
        MaxConnections = o.MaxConnections,
        CompressionLevel = o.CompressionLevel,
        Connection = new ConnectionOptions
        {
            MessageBufferSize = o.MessageBufferSize,
            Overflow = OverflowPolicies.From(o.DropOnFull, o.CloseOnBackpressure),
            SendTimeout = o.SendTimeout,
            MaxMessageSize = o.MaxMessageSize,
            WriteBufferSize = o.WriteBufferSize,
        },
    };
}

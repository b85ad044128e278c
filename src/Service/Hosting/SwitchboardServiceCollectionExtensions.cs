using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Hosting;
using Akka.Remote.Hosting;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Switchboard.Actors.Admin;
using Switchboard.Actors.Delivery;
using Switchboard.Actors.Heartbeat;
using Switchboard.Actors.History;
using Switchboard.Actors.Hub;
using Switchboard.Actors.Namespaces;
using Switchboard.Actors.RateLimiting;
using Switchboard.Actors.Routing;
using Switchboard.Actors.Serialization;
using Switchboard.Actors.Stats;
using Switchboard.Service.Admin;
using Switchboard.Service.Auth;
using Switchboard.Service.Events;
using Switchboard.Service.Hooks;
using Switchboard.Service.Http;
using Switchboard.Service.Logging;
using Switchboard.Service.Metrics;
using Switchboard.Service.Remoting;
using Switchboard.Service.Settings;
using Switchboard.Streams;
using Switchboard.Streams.Outbound;

namespace Switchboard.Service.Hosting;

public static class SwitchboardServiceCollectionExtensions
{
    public const string ActorSystemName = "switchboard";

    /// <summary>Unsent bytes a connection's socket pipe holds before the hub counts its peer as stalled.</summary>
    public const long SocketPipeBytes = 1024 * 1024;

    /// <summary>
    /// Adds the hub: its settings (from configuration, overlaid by <paramref name="configure"/>),
    /// an actor system that is a cluster of one unless told otherwise, the sharded user and group
    /// entities, this node's delivery, and the connection hub. Map its endpoints with <c>MapSwitchboard</c>.
    /// Tokens and keys are taken out of every log line, whoever logs it (<see cref="LogRedactionExtensions.AddLogRedaction"/>).
    /// </summary>
    public static IServiceCollection AddSwitchboard(this IServiceCollection services,
        Func<SwitchboardOptions, SwitchboardOptions>? configure = null)
    {
        services.AddLogRedaction();
        services.AddSingleton(sp => SwitchboardOptionsLoader.Load(sp.GetRequiredService<IConfiguration>(), configure));
        services.AddSingleton(sp => AuthOptionsLoader.Load(sp.GetRequiredService<IConfiguration>()));
        // The namespace table in force, replaced on a reload of the configuration (NamespaceReload); presence settings
        // are read at start only. Both are loaded from the same sections, which report all their problems either way.
        services.AddSingleton(sp => new NamespaceBook(NamespaceSettingsLoader.Load(sp.GetRequiredService<IConfiguration>()).Namespaces));
        services.AddSingleton(sp => NamespaceSettingsLoader.Load(sp.GetRequiredService<IConfiguration>()).Presence);
        services.TryAddSingleton(TimeProvider.System);
        services.AddHooks();
        services.AddEvents();
        services.AddClusterTls();
        // Null without Auth:Jwt: upgrades then name their user as before. A key fetch has its own timeout (JwksKeys).
        services.AddSingleton(sp => sp.GetRequiredService<AuthOptions>().Jwt is { } jwt
            ? new TokenValidator(jwt, sp.GetRequiredService<SwitchboardOptions>().HandshakeTimeout, new HttpClient(),
                sp.GetRequiredService<ILogger<TokenValidator>>(), sp.GetRequiredService<TimeProvider>())
            : null!);
        services.AddSingleton(sp => new ApiAccess(sp.GetRequiredService<AuthOptions>()));
        services.AddSingleton<AuthRefusals>();
        services.AddSingleton(sp => ConnectionCap.OfThisProcess(sp.GetRequiredService<SwitchboardOptions>().MaxConnections));
        services.AddSingleton<NodeState>();
        services.AddSingleton(sp => new ConnectionCounters { DeliveryClock = sp.GetRequiredService<SwitchboardMeter>().DeliveryClock });
        services.AddSingleton<RoutingCounters>();
        services.AddSingleton(sp => new RelayLedger(RoutingRelayOptions.Default, sp.GetRequiredService<RoutingCounters>()));
        services.AddSingleton(sp => new HistoryBudget(sp.GetRequiredService<SwitchboardOptions>().HistoryMaxBytes));
        // History:Store=redis with history on: the streams live in Redis (docs/history.md); else null, and the entities keep them.
        services.AddSingleton<IStreamStore>(sp => sp.GetRequiredService<SwitchboardOptions>() is { HistoryStore: "redis", HistorySize: > 0 } o
            ? Service.History.RedisStreamStore.Connect(o.HistoryRedis!, o.HistoryPrefix, History(o), o.HistoryOnStoreFailure == "refuse",
                sp.GetRequiredService<ILoggerFactory>())
            : null!);
        services.AddSingleton<ConnectionSlots>();
        services.AddSingleton(sp => new NodePartitions(sp.GetRequiredService<SwitchboardOptions>().ConnectionPartitions));
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<SwitchboardOptions>();
            return new ClientQuotas(options.MaxConnectionsPerUser, options.MaxConnectionsPerIp);
        });
        // Null with the node scope or without a bound: upgrades then ask the user's entity nothing.
        services.AddSingleton(sp => sp.GetRequiredService<SwitchboardOptions>() is { MaxConnectionsPerUserScope: "cluster", MaxConnectionsPerUser: > 0 } o
            ? new ClusterUserQuota(sp.GetRequiredService<ConnectionHub>().Routing.Users, o.MaxConnectionsPerUser,
                sp.GetRequiredService<ILogger<ClusterUserQuota>>())
            : null!);
        services.AddSingleton<UpgradeAdmission>();
        services.AddSingleton<NodeDrain>();
        // The host must outlast the drain, then the actor system's leave and Kestrel's stop.
        services.AddOptions<HostOptions>().Configure<SwitchboardOptions>((host, hub) =>
            host.ShutdownTimeout = hub.ShutdownTimeout + TimeSpan.FromSeconds(15));
        // A client that never finishes its upgrade request is dropped (slowloris).
        services.AddOptions<KestrelServerOptions>().Configure<SwitchboardOptions>((kestrel, hub) =>
            kestrel.Limits.RequestHeadersTimeout = hub.HandshakeTimeout);
        // A burst to a client that keeps up waits in the socket's pipe while Kestrel's send loop catches up;
        // at Kestrel's 64 KB a moment's lag of that loop looked like a stalled peer (docs/connections.md).
        services.AddOptions<SocketTransportOptions>().Configure(sockets => sockets.MaxWriteBufferSize = SocketPipeBytes);
        // Registered last, so Kestrel binds with it: sockets never outnumber the descriptors the node can spare.
        services.AddSingleton<IConnectionListenerFactory>(sp =>
        {
            var sockets = new SocketTransportFactory(sp.GetRequiredService<IOptions<SocketTransportOptions>>(),
                sp.GetRequiredService<ILoggerFactory>());
            return sp.GetRequiredService<ConnectionCap>().AcceptSlots is { } slots
                ? new BoundedAcceptListenerFactory(sockets, slots)
                : sockets;
        });
        // Registered before Akka so that its StartingAsync validates the settings first.
        services.AddHostedService<SwitchboardLifecycle>();
        services.AddAkka(ActorSystemName, (builder, sp) =>
        {
            var options = sp.GetRequiredService<SwitchboardOptions>();
            var cap = sp.GetRequiredService<ConnectionCap>();
            var routing = sp.GetRequiredService<RoutingCounters>();
            var node = sp.GetRequiredService<NodeState>();
            var relay = sp.GetRequiredService<RelayLedger>();
            var partitions = sp.GetRequiredService<NodePartitions>();
            var connections = sp.GetRequiredService<ConnectionSlots>();
            var counters = sp.GetRequiredService<ConnectionCounters>();
            builder
                .AddHocon(SwitchboardHocon.Load(), HoconAddMode.Append)
                .ConfigureLoggers(AkkaLogBridge.Configure)
                // By default port 0: each standalone node takes a free port, so several run side by side.
                .WithRemoting(new RemoteOptions { HostName = options.ClusterHostname, Port = options.ClusterPort })
                .WithClusterTls(sp.GetRequiredService<ClusterTlsSettings>())
                .WithClustering(new ClusterOptions { SeedNodes = [.. options.ClusterSeeds], Roles = [.. options.ClusterRoles] })
                .AddHocon(ShutdownHocon(options), HoconAddMode.Prepend)
                .AddStartup((system, _) => ClusterExit.Register(system, sp))
                .AddClusterFormation(options, sp)
                .AddRoutingSerializer()
                .AddUserBucketEntities(options.ShardCount, routing, History(options), sp.GetRequiredService<HistoryBudget>(),
                    sp.GetService<IStreamStore>())
                .AddGroupEntities(options.ShardCount, routing, History(options), sp.GetRequiredService<HistoryBudget>(),
                    sp.GetService<IStreamStore>(), sp.GetRequiredService<NamespaceBook>(), sp.GetRequiredService<PresenceOptions>())
                .AddNamespaceReloads()
                .AddRoutingRelay(relay, routing)
                .AddEvents(sp)
                .AddNodeConnections(new NodeConnectionsOptions(
                        new PartitionOptions(partitions.Count, options.MaxGroupsPerConnection, HistoryOn: options.HistorySize > 0,
                            options.ConnectionTimeout, sp.GetService<TokenValidator>()?.ClockSkew),
                        options.MessageQueueSize, node.RoutingReady),
                    partitions, registry => new PartitionServices(registry.Get<UserBucketEntity>(), registry.Get<GroupEntity>(), relay,
                        routing, counters, connections, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<NamespaceBook>(),
                        registry.TryGet<Actors.Events.EventSender>(out var events) ? events : null, sp.GetService<Actors.Hooks.HookCalls>()), routing);
            builder.AddNodeStatsReporter(system => () =>
                NodeStatsSnapshot.Of(NodeName.Of(system), cap.MaxConnections, connections, counters, routing, system.Uptime));
            builder.AddAdminAgent(_ => new AdminHost(sp));
            if (options.EnableGlobalPing)
                builder.AddPingScheduler(options.HeartbeatInterval, partitions);
        });
        // After Akka, so that these hosted services start once the actor system runs.
        services.AddHostedService<NamespaceReload>();
        services.AddSwitchboardMetrics();
        services.AddSingleton(sp =>
        {
            var system = sp.GetRequiredService<ActorSystem>();
            var registry = sp.GetRequiredService<IActorRegistry>();
            var options = sp.GetRequiredService<SwitchboardOptions>();
            var routing = new HubRouting(registry.Get<NodeConnections>(), sp.GetRequiredService<NodePartitions>(),
                sp.GetRequiredService<RelayLedger>(), registry.Get<UserBucketEntity>(), registry.Get<GroupEntity>(),
                DistributedPubSub.Get(system).Mediator, options.AllowClientBroadcast, options.HistorySize > 0,
                sp.GetRequiredService<NamespaceBook>());
            var hubOptions = ToHubOptions(options, sp.GetRequiredService<ConnectionCap>().MaxConnections,
                tokensOn: sp.GetRequiredService<AuthOptions>().Jwt is not null);
            return new ConnectionHub(system, hubOptions, NodeName.Of(system), routing,
                sp.GetRequiredService<ConnectionCounters>(), sp.GetRequiredService<ConnectionSlots>(), sp.GetService<TokenValidator>(),
                sp.GetService<Actors.Hooks.HookCalls>());
        });
        return services;
    }

    // The drain of a removed node runs in the first phase; a node with seeds gives up joining them in time.
    private static string ShutdownHocon(SwitchboardOptions o) =>
        $"akka.coordinated-shutdown.phases.before-service-unbind.timeout = {(int)o.ShutdownTimeout.TotalSeconds + 5}s\n" +
        (o.ClusterSeeds.Count > 0
            ? $"akka.cluster.shutdown-after-unsuccessful-join-seed-nodes = {(int)Math.Ceiling(o.ClusterJoinTimeout.TotalSeconds)}s\n"
            : "");

    private static HistoryOptions History(SwitchboardOptions o) => new(o.HistorySize, o.HistoryTtl);

    private static HubOptions ToHubOptions(SwitchboardOptions o, int maxConnections, bool tokensOn) => new()
    {
        MaxConnections = maxConnections,
        ConnectionHosts = o.ConnectionHosts,
        CompressionLevel = o.CompressionLevel,
        MessageRate = o.MessageRate is null ? null : Rate.Parse(o.MessageRate),
        Connection = new ConnectionOptions
        {
            MessageBufferSize = o.MessageBufferSize,
            Overflow = OverflowPolicies.From(o.DropOnFull, o.CloseOnBackpressure),
            SendTimeout = o.SendTimeout,
            MaxMessageSize = o.MaxMessageSize,
            MaxRefreshSize = tokensOn ? ConnectionOptions.TokenRefreshSize : 0,
            WriteBufferSize = o.WriteBufferSize,
            KeepAlive = o.EnableGlobalPing ? null : new KeepAliveOptions(o.HeartbeatInterval, o.ConnectionTimeout),
        },
    };
}

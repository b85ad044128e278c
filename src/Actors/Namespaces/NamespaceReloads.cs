using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using Akka.Hosting;
using Switchboard.Actors.Routing;

namespace Switchboard.Actors.Namespaces;

/// <summary>
/// Carries a reloaded namespace table to the group entities living on this node: it asks the node's shard region which
/// groups it hosts and tells each to take its rules again. An entity elsewhere, or one that moves meanwhile, reads its
/// node's table when it starts.
/// </summary>
public sealed class NamespaceReloads : ReceiveActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();

    public NamespaceReloads(IActorRef groups)
    {
        Receive<NamespacesReloaded>(reloaded =>
        {
            _log.Info("Namespaces reloaded ({Fingerprint}); applying them to this node's groups", reloaded.Table.Fingerprint);
            groups.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, TimeSpan.FromSeconds(10)).PipeTo(Self);
        });
        Receive<CurrentShardRegionState>(state =>
        {
            foreach (var shard in state.Shards)
            {
                foreach (var group in shard.EntityIds)
                    groups.Tell(new GroupProtocol.ReloadNamespaces(group));
            }
        });
        Receive<Status.Failure>(failure => _log.Warning("The group region did not list its groups for a namespace reload: {0}",
            failure.Cause.Message));
    }

    protected override void PreStart() => Context.System.EventStream.Subscribe(Self, typeof(NamespacesReloaded));

    public static Props PropsFor(IActorRef groups) => Props.Create(() => new NamespaceReloads(groups));
}

public static class NamespaceReloadsHostingExtensions
{
    /// <summary>Starts the node's <see cref="NamespaceReloads"/>; after <see cref="GroupEntityHostingExtensions.AddGroupEntities"/>.</summary>
    public static AkkaConfigurationBuilder AddNamespaceReloads(this AkkaConfigurationBuilder builder) =>
        builder.WithActors((system, registry) =>
            system.ActorOf(NamespaceReloads.PropsFor(registry.Get<GroupEntity>()), "namespace-reloads"));
}

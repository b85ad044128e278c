using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using Akka.Hosting;
using static Switchboard.Actors.Admin.AdminProtocol;

namespace Switchboard.Actors.Admin;

/// <summary>What the admin agent asks of its host: the parts of an admin action that live outside the actor system.</summary>
public interface IAdminHost
{
    /// <summary>Starts this node's drain (it returns at once); false when the node already drains.</summary>
    bool Drain(string by);

    /// <summary>Applies rate limiter settings another node was given; false when they are refused (the reason logged).</summary>
    bool ApplyRateLimit(string optionsJson, string by);
}

/// <summary>
/// One per node at <see cref="Path"/>: carries out the admin actions that another node forwards here (a drain of this
/// node) or publishes to every node (a rate limit update). The actions themselves run in the host and return at once,
/// so nothing here blocks.
/// </summary>
public sealed class AdminAgent : ReceiveActor
{
    public const string Name = "admin";
    public const string Path = "/user/" + Name;
    public const string RateLimitTopic = "switchboard.admin.ratelimit";

    private readonly ILoggingAdapter _log = Context.GetLogger();

    public AdminAgent(string node, IAdminHost host, IActorRef mediator)
    {
        Receive<DrainNode>(drain =>
        {
            var started = host.Drain(drain.By);
            _log.Info("Audit: drain by {Caller} target {Target}: {Outcome}", drain.By, node, started ? "started" : "already draining");
            Sender.Tell(new DrainStarted(node, started));
        });
        Receive<RateLimitUpdate>(update =>
        {
            // The node that was asked applied the update before publishing it, and logged it.
            if (update.Origin == node)
                return;
            var applied = host.ApplyRateLimit(update.OptionsJson, update.By);
            _log.Info("Audit: ratelimit-set by {Caller} target {Target}: {Outcome} (from {Origin})", update.By, node, applied ? "applied" : "refused",
                update.Origin);
        });
        Receive<SubscribeAck>(_ => { });
        mediator.Tell(new Subscribe(RateLimitTopic, Self));
    }

    public static Props PropsFor(string node, IAdminHost host, IActorRef mediator) =>
        Props.Create(() => new AdminAgent(node, host, mediator));
}

public static class AdminAgentHostingExtensions
{
    /// <summary>
    /// Starts this node's admin agent at <see cref="AdminAgent.Path"/>, registered under <see cref="AdminAgent"/>. It needs
    /// distributed pub-sub, which <c>AddNodeDelivery</c> adds (adding it twice registers its mediator twice).
    /// </summary>
    public static AkkaConfigurationBuilder AddAdminAgent(this AkkaConfigurationBuilder builder, Func<ActorSystem, IAdminHost> host) =>
        builder
            .WithActors((system, registry) =>
            {
                var node = Hub.NodeName.Of(system);
                registry.Register<AdminAgent>(system.ActorOf(
                    AdminAgent.PropsFor(node, host(system), DistributedPubSub.Get(system).Mediator), AdminAgent.Name));
            });
}

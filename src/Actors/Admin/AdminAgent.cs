using Akka.Actor;
using Akka.Event;
using Akka.Hosting;
using Switchboard.Actors.Namespaces;
using static Switchboard.Actors.Admin.AdminProtocol;

namespace Switchboard.Actors.Admin;

/// <summary>What the admin agent asks of its host: the parts of an admin action that live outside the actor system.</summary>
public interface IAdminHost
{
    /// <summary>Starts this node's drain (it returns at once); false when the node already drains.</summary>
    bool Drain(string by);

    /// <summary>Applies rate limiter settings another node was given; false when they are refused (the reason logged).</summary>
    bool ApplyRateLimit(string optionsJson, string by);

    /// <summary>The namespace table this node has in force now (it changes when the configuration reloads).</summary>
    NamespaceTable Namespaces { get; }
}

/// <summary>
/// One per node at <see cref="Path"/>: carries out the admin actions that another node forwards here (a drain of this
/// node, a rate limit update) and answers each, and tells what the node has loaded (its namespaces). The actions
/// themselves run in the host and return at once, so nothing here blocks.
/// </summary>
public sealed class AdminAgent : ReceiveActor
{
    public const string Name = "admin";
    public const string Path = "/user/" + Name;

    private readonly ILoggingAdapter _log = Context.GetLogger();

    public AdminAgent(string node, IAdminHost host)
    {
        Receive<DrainNode>(drain =>
        {
            var started = host.Drain(drain.By);
            _log.Info("Audit: drain by {Caller} target {Target}: {Outcome}", drain.By, node, started ? "started" : "already draining");
            Sender.Tell(new DrainStarted(node, started));
        });
        Receive<RateLimitUpdate>(update =>
        {
            var applied = host.ApplyRateLimit(update.OptionsJson, update.By);
            _log.Info("Audit: ratelimit-set by {Caller} target {Target}: {Outcome} (from {Origin})", update.By, node, applied ? "applied" : "refused",
                update.Origin);
            Sender.Tell(new RateLimitApplied(node, applied));
        });
        Receive<GetNamespaces>(_ => Sender.Tell(new NamespacesLoaded(node, host.Namespaces)));
    }

    public static Props PropsFor(string node, IAdminHost host) => Props.Create(() => new AdminAgent(node, host));
}

public static class AdminAgentHostingExtensions
{
    /// <summary>
    /// Starts this node's admin agent at <see cref="AdminAgent.Path"/>, registered under <see cref="AdminAgent"/>.
    /// </summary>
    public static AkkaConfigurationBuilder AddAdminAgent(this AkkaConfigurationBuilder builder, Func<ActorSystem, IAdminHost> host) =>
        builder
            .WithActors((system, registry) =>
            {
                var node = Hub.NodeName.Of(system);
                registry.Register<AdminAgent>(system.ActorOf(AdminAgent.PropsFor(node, host(system)), AdminAgent.Name));
            });
}

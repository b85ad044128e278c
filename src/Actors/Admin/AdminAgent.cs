using Akka.Actor;
using Akka.Event;
using Akka.Hosting;
using Switchboard.Actors.Hooks;
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

    /// <summary>The hooks this node calls, each with how it is reached (a URL's <c>host:port</c>, or <c>code</c>); empty when none.</summary>
    IReadOnlyDictionary<HookKind, string> Hooks { get; }

    /// <summary>This node's hook calls.</summary>
    HookStats HookStats { get; }
}

/// <summary>
/// One per node at <see cref="Path"/>: carries out the admin actions that another node forwards here (a drain of this
/// node, a rate limit update) and answers each, and tells what the node has loaded (its namespaces) and how its hooks
/// fare (every second it samples their totals for their rates, when any hook is configured). The actions themselves run
/// in the host and return at once, so nothing here blocks.
/// </summary>
public sealed class AdminAgent : ReceiveActor, IWithTimers
{
    public const string Name = "admin";
    public const string Path = "/user/" + Name;

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly HookRates _rates = new();
    private readonly bool _hooksConfigured;

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
        Receive<SampleHooks>(_ => _rates.Sample(Environment.TickCount64, HookRates.Totals(host.HookStats)));
        Receive<GetHooks>(_ => Sender.Tell(HooksOf(node, host)));
        _hooksConfigured = host.Hooks.Count > 0;
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart()
    {
        // The first sample at once: a rate is there from the first second on.
        if (_hooksConfigured)
            Timers.StartPeriodicTimer(nameof(SampleHooks), SampleHooks.Instance, TimeSpan.Zero, TimeSpan.FromSeconds(1));
    }

    private HooksLoaded HooksOf(string node, IAdminHost host)
    {
        var now = Environment.TickCount64;
        var stats = host.HookStats;
        return new HooksLoaded(node, HookKinds.All.Select(kind => new HookState(kind.Name(), host.Hooks.GetValueOrDefault(kind),
            new HookCallCounts(stats.Calls(kind, HookOutcome.Allowed), stats.Calls(kind, HookOutcome.Denied),
                stats.Calls(kind, HookOutcome.Failed), stats.Calls(kind, HookOutcome.TimedOut), stats.Calls(kind, HookOutcome.Busy)),
            HookStats.LatencyBoundsMs, stats.Latency(kind), _rates.PerSecond(kind, now, HookRates.Total(stats, kind)))).ToArray());
    }

    private sealed class SampleHooks
    {
        public static readonly SampleHooks Instance = new();
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

using Akka.Actor;
using Akka.Hosting;
using System.Diagnostics;
using Switchboard.Actors.Admin;
using Switchboard.Actors.Hooks;
using Switchboard.Actors.Namespaces;
using static Switchboard.Actors.Admin.AdminProtocol;

namespace Switchboard.Actors.Tests;

public sealed class AdminAgentSpecs : Akka.Hosting.TestKit.TestKit
{
    protected override void ConfigureAkka(AkkaConfigurationBuilder builder, IServiceProvider provider)
    {
    }

    /// <summary>The host side as the service has it, reduced to what it was asked.</summary>
    private sealed class RecordingHost(bool drains = true, bool applies = true) : IAdminHost
    {
        public List<string> Drains { get; } = [];
        public List<(string Json, string By)> Updates { get; } = [];

        public NamespaceTable Namespaces { get; set; } = NamespaceTable.Empty;

        public IReadOnlyDictionary<HookKind, string> Hooks { get; init; } = new Dictionary<HookKind, string>();

        public HookStats HookStats { get; } = new();

        public bool Drain(string by)
        {
            lock (Drains)
                Drains.Add(by);
            return drains;
        }

        public bool ApplyRateLimit(string optionsJson, string by)
        {
            lock (Updates)
                Updates.Add((optionsJson, by));
            return applies;
        }
    }

    [Fact]
    public void A_forwarded_drain_runs_on_the_host_and_answers_whether_it_started()
    {
        var host = new RecordingHost();
        var agent = Sys.ActorOf(AdminAgent.PropsFor("n1:1", host));
        agent.Tell(new DrainNode("ops"));
        Assert.Equal(new DrainStarted("n1:1", true), ExpectMsg<DrainStarted>());
        Assert.Equal(["ops"], host.Drains);

        var draining = Sys.ActorOf(AdminAgent.PropsFor("n2:2", new RecordingHost(drains: false)));
        draining.Tell(new DrainNode("ops"));
        Assert.Equal(new DrainStarted("n2:2", false), ExpectMsg<DrainStarted>());
    }

    [Fact]
    public void A_rate_limit_update_is_applied_on_the_host_and_answered_whether_it_was()
    {
        var host = new RecordingHost();
        var agent = Sys.ActorOf(AdminAgent.PropsFor("n1:1", host));
        agent.Tell(new RateLimitUpdate("new", "n2:2", "ops"));
        Assert.Equal(new RateLimitApplied("n1:1", true), ExpectMsg<RateLimitApplied>());
        Assert.Equal([("new", "ops")], host.Updates);

        var refusing = Sys.ActorOf(AdminAgent.PropsFor("n3:3", new RecordingHost(applies: false)));
        refusing.Tell(new RateLimitUpdate("bad", "n2:2", "ops"));
        Assert.Equal(new RateLimitApplied("n3:3", false), ExpectMsg<RateLimitApplied>());
    }

    [Fact]
    public void The_namespaces_are_the_table_in_force_when_asked()
    {
        var host = new RecordingHost();
        var agent = Sys.ActorOf(AdminAgent.PropsFor("n1:1", host));
        agent.Tell(GetNamespaces.Instance);
        Assert.Same(NamespaceTable.Empty, ExpectMsg<NamespacesLoaded>().Table);

        // A reload replaces the host's table; the next question gets the new one.
        var reloaded = new NamespaceTable(NamespaceRules.Defaults,
            new Dictionary<string, NamespaceRules> { ["chat"] = new(Presence: true) }, strict: true);
        host.Namespaces = reloaded;
        agent.Tell(GetNamespaces.Instance);
        Assert.Equal(new NamespacesLoaded("n1:1", reloaded), ExpectMsg<NamespacesLoaded>());
    }

    [Fact]
    public void The_hooks_are_every_hook_with_its_transport_when_configured_and_its_calls()
    {
        var host = new RecordingHost { Hooks = new Dictionary<HookKind, string> { [HookKind.Rpc] = "backend:8080", [HookKind.Join] = "code" } };
        host.HookStats.Record(HookKind.Rpc, HookOutcome.Allowed, Stopwatch.GetTimestamp());
        host.HookStats.Record(HookKind.Rpc, HookOutcome.Allowed, Stopwatch.GetTimestamp());
        host.HookStats.Record(HookKind.Rpc, HookOutcome.TimedOut, Stopwatch.GetTimestamp());
        host.HookStats.Busy(HookKind.Rpc);
        host.HookStats.Record(HookKind.Join, HookOutcome.Denied, Stopwatch.GetTimestamp());
        var agent = Sys.ActorOf(AdminAgent.PropsFor("n1:1", host));

        agent.Tell(GetHooks.Instance);
        var loaded = ExpectMsg<HooksLoaded>();

        Assert.Equal("n1:1", loaded.Node);
        Assert.Equal(["connect", "refresh", "join", "publish", "rpc"], loaded.Hooks.Select(h => h.Hook));
        Assert.Equal([null, null, "code", null, "backend:8080"], loaded.Hooks.Select(h => h.Transport));
        var rpc = loaded.Hooks[4];
        Assert.Equal(new HookCallCounts(Allowed: 2, Denied: 0, Failed: 0, TimedOut: 1, Busy: 1), rpc.Calls);
        Assert.Equal(HookStats.LatencyBoundsMs, rpc.LatencyBoundsMs);
        Assert.Equal(3, rpc.Latency.Sum()); // the calls made: a busy refusal made none
        Assert.Equal(new HookCallCounts(0, 1, 0, 0, 0), loaded.Hooks[2].Calls);
        Assert.All(loaded.Hooks.Take(2), h => Assert.Equal(new HookCallCounts(0, 0, 0, 0, 0), h.Calls));
    }
}

using Akka.Actor;
using Akka.Hosting;
using Switchboard.Actors.Admin;
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
}

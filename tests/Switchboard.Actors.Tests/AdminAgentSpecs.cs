using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Hosting;
using Switchboard.Actors.Admin;
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
    public void Subscribes_to_the_rate_limit_topic_at_start()
    {
        var mediator = CreateTestProbe();
        Sys.ActorOf(AdminAgent.PropsFor("n1:1", new RecordingHost(), mediator));
        Assert.Equal(AdminAgent.RateLimitTopic, mediator.ExpectMsg<Subscribe>().Topic);
    }

    [Fact]
    public void A_forwarded_drain_runs_on_the_host_and_answers_whether_it_started()
    {
        var host = new RecordingHost();
        var agent = Sys.ActorOf(AdminAgent.PropsFor("n1:1", host, CreateTestProbe()));
        agent.Tell(new DrainNode("ops"));
        Assert.Equal(new DrainStarted("n1:1", true), ExpectMsg<DrainStarted>());
        Assert.Equal(["ops"], host.Drains);

        var draining = Sys.ActorOf(AdminAgent.PropsFor("n2:2", new RecordingHost(drains: false), CreateTestProbe()));
        draining.Tell(new DrainNode("ops"));
        Assert.Equal(new DrainStarted("n2:2", false), ExpectMsg<DrainStarted>());
    }

    [Fact]
    public void A_rate_limit_update_from_another_node_is_applied_and_its_own_is_not_applied_twice()
    {
        var host = new RecordingHost();
        var agent = Sys.ActorOf(AdminAgent.PropsFor("n1:1", host, CreateTestProbe()));
        agent.Tell(new RateLimitUpdate("own", "n1:1", "ops"));
        agent.Tell(new RateLimitUpdate("other", "n2:2", "ops"));
        // A drain after the updates answers once both were handled (one mailbox, in order): a marker, not a sleep.
        agent.Tell(new DrainNode("marker"));
        ExpectMsg<DrainStarted>();
        Assert.Equal([("other", "ops")], host.Updates);
    }
}

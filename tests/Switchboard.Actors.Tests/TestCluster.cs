using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Remote.Hosting;

namespace Switchboard.Actors.Tests;

/// <summary>
/// The actor system of a spec whose actor names its node or uses distributed pub-sub (<c>NodeName.Of</c> and the mediator
/// both need the cluster provider): remoting on a free loopback port, a cluster it does not join unless the spec says so.
/// </summary>
internal static class TestCluster
{
    public static AkkaConfigurationBuilder AsClusterNode(this AkkaConfigurationBuilder builder) =>
        builder
            .WithRemoting(new RemoteOptions { HostName = "127.0.0.1", Port = 0 })
            .WithClustering(new ClusterOptions());
}

using Akka.Actor;
using Akka.Hosting;
using Switchboard.Actors.Hub;
using Switchboard.Actors.Routing;
using Switchboard.Streams;

namespace Switchboard.Actors.Stats;

/// <summary>Answers <see cref="GetNodeStats"/> with this node's figures; every node has one at <see cref="Path"/>.</summary>
public sealed class NodeStatsReporter : ReceiveActor
{
    public const string Name = "node-stats";
    public const string Path = "/user/" + Name;

    public NodeStatsReporter(Func<NodeStatsSnapshot> snapshot) =>
        Receive<GetNodeStats>(_ => Sender.Tell(snapshot()));

    public static Props PropsFor(Func<NodeStatsSnapshot> snapshot) => Props.Create(() => new NodeStatsReporter(snapshot));
}

public static class NodeStatsReporterHostingExtensions
{
    /// <summary>Starts the node's stats reporter, registered under <see cref="NodeStatsReporter"/>.</summary>
    public static AkkaConfigurationBuilder AddNodeStatsReporter(this AkkaConfigurationBuilder builder,
        Func<ActorSystem, Func<NodeStatsSnapshot>> snapshot) =>
        builder.WithActors((system, registry) =>
            registry.Register<NodeStatsReporter>(system.ActorOf(NodeStatsReporter.PropsFor(snapshot(system)), NodeStatsReporter.Name)));
}

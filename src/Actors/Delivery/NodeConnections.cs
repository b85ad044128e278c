using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using Akka.Hosting;
using Switchboard.Actors.Admin;
using Switchboard.Actors.Hub;
using Switchboard.Actors.Routing;
using Switchboard.Streams;
using static Switchboard.Actors.Delivery.DeliveryProtocol;

namespace Switchboard.Actors.Delivery;

/// <summary>
/// Where the cluster reaches this node as a whole, at <c>/user/delivery</c>: broadcasts arrive here through distributed pub-sub
/// and go to every partition with connections; a starting entity's question goes to the partitions that can answer it; a
/// question about the node's connections (<see cref="IPartitionQuestion"/>) is put to every partition and answered once. It
/// holds no connection: deliveries to users and groups go from the entities straight to the partitions.
/// </summary>
public sealed class NodeConnections : ReceiveActor
{
    public const string BroadcastTopic = "switchboard.broadcast";

    /// <summary>How long a question put to the partitions may take; they answer from memory.</summary>
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(5);

    private readonly IActorRef[] _partitions;
    private readonly BroadcastQueue[] _queues;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    /// <summary>Read once: the answers are merged off the actor's thread, where its context is not at hand.</summary>
    private readonly string _node = NodeName.Of(Context.System);

    public NodeConnections(IActorRef[] partitions, BroadcastQueue[] queues, RoutingCounters counters, Action onReady)
    {
        _partitions = partitions;
        _queues = queues;

        Receive<Broadcast>(broadcast => Fan(broadcast, counters));
        Receive<RegistryProtocol.FindUsers>(find => _partitions[NodePartitions.IndexOf(find.Bucket, _partitions.Length)].Forward(find));
        Receive<RegistryProtocol.FindGroup>(find =>
        {
            foreach (var partition in _partitions)
                partition.Forward(find);
        });
        Receive<IPartitionQuestion>(question => GatherAsync(_partitions, question, _node).PipeTo(Sender));
        // Ready once broadcasts reach this node.
        Receive<SubscribeAck>(_ => onReady());
    }

    protected override void PreStart() =>
        DistributedPubSub.Get(Context.System).Mediator.Tell(new Subscribe(BroadcastTopic, Self));

    private void Fan(Broadcast broadcast, RoutingCounters counters)
    {
        for (var i = 0; i < _partitions.Length; i++)
        {
            var connections = _queues[i].Connections;
            if (connections == 0)
                continue;
            if (_queues[i].TryEnter())
                _partitions[i].Tell(broadcast);
            else
            {
                counters.RecordBroadcastDropped(connections);
                _log.Warning("Broadcast queue of partition {Partition} is full; {Dropped} deliveries dropped", i, connections);
            }
        }
    }

    // Off the actor's thread: it touches nothing of the actor's.
    private static async Task<object> GatherAsync(IActorRef[] partitions, IPartitionQuestion question, string node) =>
        question.Merge(await Task.WhenAll(partitions.Select(p => p.Ask<object>(question, AskTimeout))), node);

    public static Props PropsFor(IActorRef[] partitions, BroadcastQueue[] queues, RoutingCounters counters, Action onReady) =>
        Props.Create(() => new NodeConnections(partitions, queues, counters, onReady));
}

/// <param name="MessageQueueSize">The broadcasts that may wait for one partition.</param>
/// <param name="OnReady">Runs once broadcasts can reach this node.</param>
public sealed record NodeConnectionsOptions(PartitionOptions Partition, int MessageQueueSize, Action OnReady);

public static class NodeConnectionsHostingExtensions
{
    /// <summary>
    /// Starts this node's connection partitions and, at <c>/user/delivery</c>, the actor that reaches them as a whole (after the
    /// entities and the relay); <paramref name="partitions"/> then knows their refs.
    /// </summary>
    public static AkkaConfigurationBuilder AddNodeConnections(this AkkaConfigurationBuilder builder, NodeConnectionsOptions options,
        NodePartitions partitions, Func<IActorRegistry, PartitionServices> services, RoutingCounters counters) =>
        builder
            .WithDistributedPubSub(role: null!)
            .WithActors((system, registry) =>
            {
                var shared = services(registry);
                var queues = Enumerable.Range(0, partitions.Count).Select(_ => new BroadcastQueue(options.MessageQueueSize)).ToArray();
                var refs = queues.Select((queue, i) =>
                    system.ActorOf(ConnectionPartition.PropsFor(options.Partition, shared, queue), $"connections-{i}")).ToArray();
                partitions.Started(refs);
                registry.Register<NodeConnections>(system.ActorOf(NodeConnections.PropsFor(refs, queues, counters, options.OnReady),
                    RegistryProtocol.DeliveryActorName));
            });
}

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
/// and go to every partition with connections; a starting entity's question goes to the partitions that can answer it; the
/// admin API's questions are put to every partition and answered once. It holds no connection: deliveries to users and groups
/// go from the entities straight to the partitions.
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
        Receive<AdminProtocol.ListConnections>(list => Gather<AdminProtocol.ConnectionList, AdminProtocol.ConnectionList>(list,
            lists => Merge(lists, list.Limit)));
        Receive<AdminProtocol.ListGroups>(list => Gather<AdminProtocol.GroupList, AdminProtocol.GroupList>(list, lists =>
        {
            var names = lists.SelectMany(l => l.Groups).Distinct().Order(StringComparer.Ordinal).ToList();
            return new AdminProtocol.GroupList(_node, names.Take(list.Limit).ToArray(), names.Count > list.Limit || lists.Any(l => l.More));
        }));
        Receive<AdminProtocol.ListLargestGroups>(list => Gather<GroupSizes, AdminProtocol.LargestGroups>(GroupSizesHere.Instance,
            sizes => new AdminProtocol.LargestGroups(_node, sizes.SelectMany(s => s.Sizes)
                .GroupBy(s => s.Group, s => s.Members).Select(g => (Group: g.Key, Members: g.Sum()))
                .OrderByDescending(g => g.Members).ThenBy(g => g.Group, StringComparer.Ordinal)
                .Take(list.Limit).Select(g => g.Group).ToArray())));
        Receive<AdminProtocol.Kick>(kick => Gather<AdminProtocol.Kicked, AdminProtocol.Kicked>(kick, kicked =>
        {
            var closed = kicked.Sum(k => k.Closed);
            _log.Info("Audit: kick by {Caller} target {Target} on {Node}: closed {Closed} with 1008 \"{Reason}\"", kick.By,
                kick.ConnectionId is null ? $"user {kick.UserId}" : $"connection {kick.ConnectionId}", _node, closed, kick.Reason);
            return new AdminProtocol.Kicked(_node, closed);
        }));
        Receive<ListHere>(list => Gather<LocalConnection[], LocalConnection[]>(list, all => all.SelectMany(a => a).ToArray()));
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

    /// <summary>Puts <paramref name="question"/> to every partition and answers the sender with <paramref name="merge"/> of their answers.</summary>
    private void Gather<TPart, TAnswer>(object question, Func<TPart[], TAnswer> merge) where TAnswer : notnull =>
        GatherAsync(_partitions, question, merge).PipeTo(Sender);

    private static async Task<TAnswer> GatherAsync<TPart, TAnswer>(IActorRef[] partitions, object question, Func<TPart[], TAnswer> merge) =>
        merge(await Task.WhenAll(partitions.Select(p => p.Ask<TPart>(question, AskTimeout))));

    private AdminProtocol.ConnectionList Merge(AdminProtocol.ConnectionList[] lists, int limit)
    {
        var all = lists.SelectMany(l => l.Connections).OrderBy(c => c.ConnectionId, StringComparer.Ordinal).ToList();
        return new AdminProtocol.ConnectionList(_node, all.Take(limit).ToArray(), all.Count > limit || lists.Any(l => l.More));
    }

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

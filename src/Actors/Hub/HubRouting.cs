using Akka.Actor;

namespace Switchboard.Actors.Hub;

/// <summary>Where a node's connections send what they route.</summary>
/// <param name="Node">This node's <see cref="Delivery.NodeConnections"/>, which reaches every partition.</param>
/// <param name="Partitions">This node's connection partitions, one of which holds each connection.</param>
/// <param name="Relay">This node's <see cref="Routing.RelayLedger"/>, which carries direct and group messages to their entities.</param>
/// <param name="Users">The user bucket entities' shard region.</param>
/// <param name="Groups">The group entities' shard region.</param>
/// <param name="Broadcasts">The distributed pub-sub mediator that carries broadcasts to every node.</param>
/// <param name="AllowClientBroadcast">Whether clients may send <c>broadcast</c> frames.</param>
/// <param name="HistoryOn">Whether the entities keep streams (WEBSOCKET_HISTORY_SIZE above 0).</param>
/// <param name="Namespaces">The node's namespaces, for <c>Namespaces:Strict</c> at the door; the entities apply the rest.</param>
public sealed record HubRouting(IActorRef Node, Delivery.NodePartitions Partitions, Routing.RelayLedger Relay, IActorRef Users, IActorRef Groups, IActorRef Broadcasts,
    bool AllowClientBroadcast, bool HistoryOn = false, Namespaces.NamespaceBook? Namespaces = null);

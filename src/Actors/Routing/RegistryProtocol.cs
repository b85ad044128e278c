using Akka.Actor;
using Switchboard.Actors.Serialization;

namespace Switchboard.Actors.Routing;

/// <summary>
/// How an entity rebuilds its state when it starts (first use, after a shard moved, or
/// after a crash): it asks every Up member, at <c>/user/delivery</c>, which of its connections belong to the bucket
/// of users or the group. The node's partitions answer: one for a bucket, each of them for a group.
/// </summary>
public static class RegistryProtocol
{
    /// <summary>The name of each node's <see cref="Delivery.NodeConnections"/>, under <c>/user</c>: where the queries go.</summary>
    public const string DeliveryActorName = "delivery";

    /// <summary>Which connections of users in <paramref name="Bucket"/> (<see cref="UserBuckets"/>) are on your node?</summary>
    public sealed record FindUsers(int Bucket, IActorRef ReplyTo) : IRoutingMessage;

    /// <param name="Members">Pairs of user id and connection id, flattened: user, connection, user, connection...</param>
    public sealed record UsersFound(int Bucket, string[] Members, IActorRef Node) : IRoutingMessage;

    public sealed record FindGroup(string Group, IActorRef ReplyTo) : IRoutingMessage;

    /// <param name="Members">Pairs of user id and connection id, flattened: user, connection, user, connection...</param>
    /// <param name="Node">The partition that answers, which gets the group's messages for these members.</param>
    /// <param name="Answers">How many answers its node sends, one per partition (a node of an earlier build sends one).</param>
    /// <param name="Infos">Each member's <c>info</c>, in the order of <paramref name="Members"/>' pairs (empty: none).</param>
    public sealed record GroupFound(string Group, string[] Members, IActorRef Node, int Answers = 1, byte[][]? Infos = null) : IRoutingMessage;
}

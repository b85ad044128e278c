using Akka.Actor;
using Switchboard.Actors.Serialization;

namespace Switchboard.Actors.Routing;

/// <summary>
/// How an entity rebuilds its state when it starts (first use, after a shard moved, or
/// after a crash): it asks every Up member's delivery actor, at <c>/user/delivery</c>, which of its
/// connections belong to the bucket of users or the group.
/// </summary>
public static class RegistryProtocol
{
    /// <summary>The name of each node's delivery actor, under <c>/user</c>: where the queries go.</summary>
    public const string DeliveryActorName = "delivery";

    /// <summary>Which connections of users in <paramref name="Bucket"/> (<see cref="UserBuckets"/>) are on your node?</summary>
    public sealed record FindUsers(int Bucket, IActorRef ReplyTo) : IRoutingMessage;

    /// <param name="Members">Pairs of user id and connection id, flattened: user, connection, user, connection...</param>
    public sealed record UsersFound(int Bucket, string[] Members, IActorRef Node) : IRoutingMessage;

    public sealed record FindGroup(string Group, IActorRef ReplyTo) : IRoutingMessage;

    /// <param name="Members">Pairs of user id and connection id, flattened: user, connection, user, connection...</param>
    public sealed record GroupFound(string Group, string[] Members, IActorRef Node) : IRoutingMessage;
}

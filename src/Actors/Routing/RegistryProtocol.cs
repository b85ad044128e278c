using Akka.Actor;
using Switchboard.Actors.Serialization;

namespace Switchboard.Actors.Routing;

/// <summary>
/// How a router entity rebuilds its state when it starts (first use, after a shard moved, or
/// after a crash): it asks every node's delivery actor, over distributed pub-sub, which of its
/// connections belong to the bucket of users or the group.
/// </summary>
public static class RegistryProtocol
{
    public const string Topic = "switchboard.registry";

    /// <summary>Which connections of users in <paramref name="Bucket"/> (<see cref="UserBuckets"/>) are on your node?</summary>
    public sealed record FindUsers(int Bucket, IActorRef ReplyTo) : IRoutingMessage;

    /// <param name="Members">Pairs of user id and connection id, flattened: user, connection, user, connection...</param>
    public sealed record UsersFound(int Bucket, string[] Members, IActorRef Node) : IRoutingMessage;

    public sealed record FindGroup(string Group, IActorRef ReplyTo) : IRoutingMessage;

    /// <param name="Members">Pairs of user id and connection id, flattened: user, connection, user, connection...</param>
    public sealed record GroupFound(string Group, string[] Members, IActorRef Node) : IRoutingMessage;
}

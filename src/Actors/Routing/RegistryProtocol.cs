using Akka.Actor;
using Switchboard.Actors.Serialization;

namespace Switchboard.Actors.Routing;

/// <summary>
/// How a router entity rebuilds its state when it starts (first use, after a shard moved, or
/// after a crash): it asks every node's delivery actor, over distributed pub-sub, which of its
/// connections belong to the user or the group.
/// </summary>
public static class RegistryProtocol
{
    public const string Topic = "switchboard.registry";

    public sealed record FindUser(string UserId, IActorRef ReplyTo) : IRoutingMessage;

    public sealed record UserFound(string UserId, string[] ConnectionIds, IActorRef Node) : IRoutingMessage;

    public sealed record FindGroup(string Group, IActorRef ReplyTo) : IRoutingMessage;

    /// <param name="Members">Pairs of user id and connection id, flattened: user, connection, user, connection...</param>
    public sealed record GroupFound(string Group, string[] Members, IActorRef Node) : IRoutingMessage;
}

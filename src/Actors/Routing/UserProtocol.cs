using Akka.Actor;
using Switchboard.Streams.Outbound;

using Switchboard.Actors.Serialization;

namespace Switchboard.Actors.Routing;

/// <summary>Messages of the user router: one entity per bucket of user ids (<see cref="UserBuckets"/>), knowing where each user's connections are.</summary>
public static class UserProtocol
{
    public interface IUserMessage
    {
        string UserId { get; }
    }

    /// <summary>A connection of the user opened on the node whose delivery actor is <paramref name="Node"/>.</summary>
    public sealed record AddConnection(string UserId, string ConnectionId, IActorRef Node) : IUserMessage, IRoutingMessage;

    public sealed record RemoveConnection(string UserId, string ConnectionId) : IUserMessage, IRoutingMessage;

    /// <summary>Deliver to every connection of the user, on whichever node; sent by the <see cref="RoutingRelay"/>, which stamps it.</summary>
    public sealed record SendToUser(string UserId, OutboundFrame Frame, RelayStamp? Stamp = null)
        : IUserMessage, RelayProtocol.IRelayed, IRoutingMessage
    {
        public RelayProtocol.IRelayed Stamped(RelayStamp stamp) => this with { Stamp = stamp };
    }

    public sealed record GetConnections(string UserId) : IUserMessage, IRoutingMessage;

    public sealed record Connections(string UserId, int Count, int Nodes) : IRoutingMessage;
}

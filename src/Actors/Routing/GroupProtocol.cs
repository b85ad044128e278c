using Akka.Actor;
using Switchboard.Streams.Outbound;

using Switchboard.Actors.Serialization;

namespace Switchboard.Actors.Routing;

/// <summary>Messages of the group router: one entity per group, knowing its members and the nodes they are on.</summary>
public static class GroupProtocol
{
    public interface IGroupMessage
    {
        string Group { get; }
    }

    /// <summary>
    /// A connection on the node whose delivery actor is <paramref name="Node"/> joined. A resent copy only confirms:
    /// by then the entity knows the member (it took the first copy, or it started later and recovered the member),
    /// and the connection may have left since.
    /// </summary>
    public sealed record AddMember(string Group, string UserId, string ConnectionId, IActorRef Node, RelayStamp? Stamp = null)
        : IGroupMessage, RelayProtocol.IRelayed, IRoutingMessage
    {
        public RelayProtocol.IRelayed Stamped(RelayStamp stamp) => this with { Stamp = stamp };
    }

    public sealed record RemoveMember(string Group, string ConnectionId) : IGroupMessage, IRoutingMessage;

    /// <summary>Deliver to every member; the relay's confirmation refuses a group with no members.</summary>
    public sealed record SendToGroup(string Group, OutboundFrame Frame, RelayStamp? Stamp = null)
        : IGroupMessage, RelayProtocol.IRelayed, IRoutingMessage
    {
        public RelayProtocol.IRelayed Stamped(RelayStamp stamp) => this with { Stamp = stamp };
    }

    public sealed record GetMembers(string Group) : IGroupMessage, IRoutingMessage;

    public sealed record Member(string UserId, int Connections);

    public sealed record Members(string Group, IReadOnlyList<Member> Users, int Connections) : IRoutingMessage;
}

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

    /// <summary>A connection joined; <paramref name="Node"/> is told <see cref="Delivery.DeliveryProtocol.Accepted"/> when <paramref name="Id"/> is set.</summary>
    public sealed record AddMember(string Group, string UserId, string ConnectionId, IActorRef Node, ReadOnlyMemory<byte> Id)
        : IGroupMessage, IRoutingMessage;

    public sealed record RemoveMember(string Group, string ConnectionId) : IGroupMessage, IRoutingMessage;

    /// <summary>
    /// Deliver to every member. When a connection sent it (<paramref name="ConnectionId"/> and
    /// <paramref name="ReplyTo"/> set), it hears back: accepted, or an error for a group with no members.
    /// </summary>
    public sealed record SendToGroup(string Group, OutboundFrame Frame, IActorRef? ReplyTo = null, string? ConnectionId = null,
        ReadOnlyMemory<byte> Id = default) : IGroupMessage, IRoutingMessage;

    public sealed record GetMembers(string Group) : IGroupMessage, IRoutingMessage;

    public sealed record Member(string UserId, int Connections);

    public sealed record Members(string Group, IReadOnlyList<Member> Users, int Connections) : IRoutingMessage;
}

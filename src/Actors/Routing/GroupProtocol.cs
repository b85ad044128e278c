using Akka.Actor;
using Switchboard.Actors.History;
using Switchboard.Streams.Outbound;

using Switchboard.Actors.Serialization;

namespace Switchboard.Actors.Routing;

/// <summary>Messages of the <see cref="GroupEntity"/>: one entity per group, knowing its members and the nodes they are on.</summary>
public static class GroupProtocol
{
    public interface IGroupMessage
    {
        string Group { get; }
    }

    /// <summary>
    /// A connection held by the node's partition <paramref name="Node"/> joined. A resent copy only confirms:
    /// by then the entity knows the member (it took the first copy, or it started later and recovered the member),
    /// and the connection may have left since. With <paramref name="OpensStream"/> (history on) every copy is answered
    /// with <see cref="GroupStreamOpened"/>, replaying what followed <paramref name="Resume"/> when the client named one.
    /// </summary>
    public sealed record AddMember(string Group, string UserId, string ConnectionId, IActorRef Node, RelayStamp? Stamp = null,
        bool OpensStream = false, StreamPosition? Resume = null)
        : IGroupMessage, RelayProtocol.IRelayed, IRoutingMessage
    {
        public RelayProtocol.IRelayed Stamped(RelayStamp stamp) => this with { Stamp = stamp };
    }

    public sealed record RemoveMember(string Group, string ConnectionId) : IGroupMessage, IRoutingMessage;

    /// <summary>
    /// Deliver to every member; without history the relay's confirmation refuses a group with no members. With history
    /// <paramref name="Sender"/> and <paramref name="MessageId"/> let the stream recognise a resend.
    /// </summary>
    public sealed record SendToGroup(string Group, OutboundFrame Frame, RelayStamp? Stamp = null, string? Sender = null,
        ReadOnlyMemory<byte> MessageId = default)
        : IGroupMessage, RelayProtocol.IRelayed, IStreamMessage, IRoutingMessage
    {
        // Receipts are for direct messages only.
        bool IStreamMessage.WantsReceipt => false;

        public RelayProtocol.IRelayed Stamped(RelayStamp stamp) => this with { Stamp = stamp };
    }

    public sealed record GetMembers(string Group) : IGroupMessage, IRoutingMessage;

    public sealed record Member(string UserId, int Connections);

    /// <summary>The group's members; with history on, its stream's position (null when it has none).</summary>
    public sealed record Members(string Group, IReadOnlyList<Member> Users, int Connections, StreamPosition? Stream = null) : IRoutingMessage;

    /// <summary>The group's kept messages after <paramref name="Since"/>, for a backend that reloads.</summary>
    public sealed record GetGroupHistory(string Group, long Since) : IGroupMessage, IRoutingMessage;

    /// <summary>The answer to <see cref="GetGroupHistory"/>: null <paramref name="Stream"/> when the group has no stream.</summary>
    public sealed record GroupHistoryPage(string Group, StreamPosition? Stream, OutboundFrame[] Messages) : IRoutingMessage;

    /// <summary>
    /// To the node of a connection that joined with history on: where the group's stream stands, what to replay before
    /// live messages, and whether a resume the client asked for (<paramref name="Recovered"/> set) could be honoured.
    /// </summary>
    public sealed record GroupStreamOpened(string Group, string ConnectionId, StreamPosition Position, OutboundFrame[] Replay,
        bool? Recovered) : IRoutingMessage;
}

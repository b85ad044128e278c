using Akka.Actor;
using Switchboard.Actors.History;
using Switchboard.Streams.Json;
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
    /// <param name="Info">The connection's <c>info</c> (a JSON object of at most 1 KB, checked at the door), shown by presence.</param>
    public sealed record AddMember(string Group, string UserId, string ConnectionId, IActorRef Node, RelayStamp? Stamp = null,
        bool OpensStream = false, StreamPosition? Resume = null, byte[]? Info = null)
        : IGroupMessage, RelayProtocol.IRelayed, IRoutingMessage
    {
        public RelayProtocol.IRelayed Stamped(RelayStamp stamp) => this with { Stamp = stamp };
    }

    /// <param name="Reason">Why, as <c>presence_leave</c> tells the members.</param>
    public sealed record RemoveMember(string Group, string ConnectionId, LeaveReason Reason = LeaveReason.Left) : IGroupMessage, IRoutingMessage;

    /// <summary>To the partition of a connection whose join the group refused (<c>group_full</c>): it is no member.</summary>
    public sealed record JoinRefused(string Group, string ConnectionId, FrameError Error) : IRoutingMessage;

    /// <summary>
    /// Deliver to every member; without history the relay's confirmation refuses a group with no members. With history
    /// <paramref name="Sender"/> and <paramref name="MessageId"/> let the stream recognise a resend.
    /// <paramref name="ConnectionId"/> is the sending connection's, null for the HTTP API: a namespace's
    /// <c>ClientPublish</c> decides by it.
    /// </summary>
    public sealed record SendToGroup(string Group, OutboundFrame Frame, RelayStamp? Stamp = null, string? Sender = null,
        ReadOnlyMemory<byte> MessageId = default, string? ConnectionId = null)
        : IGroupMessage, RelayProtocol.IRelayed, IStreamMessage, IRoutingMessage
    {
        // Receipts are for direct messages only.
        bool IStreamMessage.WantsReceipt => false;

        public RelayProtocol.IRelayed Stamped(RelayStamp stamp) => this with { Stamp = stamp };
    }

    public sealed record GetMembers(string Group) : IGroupMessage, IRoutingMessage;

    /// <summary>
    /// Starts the group's entity if it is not running (its keeper was lost with a node); a running one only confirms. Relayed:
    /// sent just as a node is removed, a copy may go to the shard's old home before the region learns it is gone.
    /// </summary>
    public sealed record Wake(string Group, RelayStamp? Stamp = null) : IGroupMessage, RelayProtocol.IRelayed, IRoutingMessage
    {
        public RelayProtocol.IRelayed Stamped(RelayStamp stamp) => this with { Stamp = stamp };
    }

    /// <summary>The node's configuration reloaded: the entity takes its namespace's rules again from the node's table.</summary>
    public sealed record ReloadNamespaces(string Group) : IGroupMessage, IRoutingMessage;

    /// <summary>
    /// Who is in the group (<paramref name="Stats"/>: how many). From a connection (<paramref name="ConnectionId"/>, the frame's
    /// <paramref name="Id"/>), which must be a member, or from the HTTP API (null). Answered with <see cref="PresenceAnswer"/>.
    /// </summary>
    public sealed record GetPresence(string Group, bool Stats, string? Cursor, string? ConnectionId, ReadOnlyMemory<byte> Id,
        IActorRef ReplyTo) : IGroupMessage, IRoutingMessage;

    /// <summary>The <c>data</c> of the answer to <see cref="GetPresence"/>, or why there is none (<c>presence_off</c>, <c>forbidden</c>).</summary>
    public sealed record PresenceAnswer(string Group, bool Stats, string? ConnectionId, ReadOnlyMemory<byte> Id, byte[]? Data,
        FrameError? Error) : IRoutingMessage;

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

/// <summary>Why a connection left a group, as <c>presence_leave</c>'s <c>reason</c> says.</summary>
public enum LeaveReason : byte
{
    Left,
    Closed,
    NodeLost,
}

using Akka.Actor;
using Switchboard.Actors.History;
using Switchboard.Streams.Outbound;

using Switchboard.Actors.Serialization;

namespace Switchboard.Actors.Routing;

/// <summary>
/// Messages of the <see cref="UserBucketEntity"/>: one entity per bucket of user ids (<see cref="UserBuckets"/>), knowing
/// where each user's connections are and, with history on, keeping each user's stream.
/// </summary>
public static class UserProtocol
{
    public interface IUserMessage
    {
        string UserId { get; }
    }

    /// <summary>
    /// A connection of the user opened held by the node's partition <paramref name="Node"/>. With
    /// <paramref name="OpensStream"/> (history on) the entity answers with <see cref="UserStreamOpened"/>, replaying
    /// what followed <paramref name="Resume"/> when the client named a position.
    /// </summary>
    public sealed record AddConnection(string UserId, string ConnectionId, IActorRef Node, bool OpensStream = false,
        StreamPosition? Resume = null) : IUserMessage, IRoutingMessage;

    /// <summary>The connection closed; sent too for one whose upgrade failed after its place was reserved, to free the place at once.</summary>
    public sealed record RemoveConnection(string UserId, string ConnectionId) : IUserMessage, IRoutingMessage;

    /// <summary>
    /// May the user open one more connection under <paramref name="Limit"/> connections in the whole cluster? Asked by the
    /// node admitting an upgrade under WEBSOCKET_MAX_CONNECTIONS_PER_USER_SCOPE=cluster, before it answers 101; granted,
    /// the entity holds a place for <paramref name="ConnectionId"/> until that connection's <see cref="AddConnection"/>
    /// arrives or a few seconds pass. Answered with <see cref="Reservation"/>.
    /// </summary>
    public sealed record ReserveConnection(string UserId, string ConnectionId, int Limit) : IUserMessage, IRoutingMessage;

    public sealed record Reservation(string ConnectionId, bool Granted) : IRoutingMessage;

    /// <summary>
    /// Deliver to every connection of the user, on whichever node; sent by the <see cref="RoutingRelay"/>, which stamps it.
    /// <paramref name="Sender"/> and <paramref name="MessageId"/> (the sending user and its frame's raw JSON id) let a
    /// stream recognise a resend; <paramref name="WantsReceipt"/> asks for a receipt once the recipient confirms it.
    /// </summary>
    public sealed record SendToUser(string UserId, OutboundFrame Frame, RelayStamp? Stamp = null, string? Sender = null,
        ReadOnlyMemory<byte> MessageId = default, bool WantsReceipt = false)
        : IUserMessage, RelayProtocol.IRelayed, IStreamMessage, IRoutingMessage
    {
        public RelayProtocol.IRelayed Stamped(RelayStamp stamp) => this with { Stamp = stamp };
    }

    /// <summary>
    /// From the user's entity to the partition holding the user's lease (<see cref="UserLeases"/>): a connection of the user
    /// opened elsewhere; answered with <see cref="LeaseRevoked"/> once this node's senders go through the entity again.
    /// </summary>
    public sealed record RevokeLease(string UserId) : IRoutingMessage;

    /// <summary>The lease is off: the entity counts the connections that waited for it.</summary>
    public sealed record LeaseRevoked(string UserId) : IRoutingMessage;

    /// <summary>A frame for every connection of the user that is not part of the user's stream (a receipt).</summary>
    public sealed record Notify(string UserId, OutboundFrame Frame) : IUserMessage, IRoutingMessage;

    /// <summary>A device of the user confirmed the stream up to <paramref name="Seq"/> (a <c>received</c> frame).</summary>
    public sealed record Received(string UserId, long Seq) : IUserMessage, IRoutingMessage;

    public sealed record GetConnections(string UserId) : IUserMessage, IRoutingMessage;

    /// <summary>Where the user is; with history on, the stream's position and how far the user confirmed it.</summary>
    public sealed record Connections(string UserId, int Count, int Nodes, StreamPosition? Stream = null, long DeliveredSeq = 0)
        : IRoutingMessage;

    /// <summary>The user's kept messages after <paramref name="Since"/>, for a backend that reloads.</summary>
    public sealed record GetHistory(string UserId, long Since) : IUserMessage, IRoutingMessage;

    /// <summary>The answer to <see cref="GetHistory"/>: null <paramref name="Stream"/> when the user has no stream.</summary>
    public sealed record HistoryPage(string UserId, StreamPosition? Stream, OutboundFrame[] Messages) : IRoutingMessage;

    /// <summary>
    /// To the node of a connection that opened with history on: where the user's stream stands, what to replay before
    /// live messages, and whether a resume the client asked for (<paramref name="Recovered"/> set) could be honoured.
    /// </summary>
    public sealed record UserStreamOpened(string ConnectionId, StreamPosition Position, OutboundFrame[] Replay, bool? Recovered)
        : IRoutingMessage;
}

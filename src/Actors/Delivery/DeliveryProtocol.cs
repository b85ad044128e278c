using Switchboard.Actors.History;
using Switchboard.Actors.Hub;
using Switchboard.Actors.Routing;
using Switchboard.Streams.Json;
using Switchboard.Streams.Outbound;

using Switchboard.Actors.Serialization;

namespace Switchboard.Actors.Delivery;

/// <summary>Messages of a node's connection partitions, which hand frames to the connections they hold.</summary>
public static class DeliveryProtocol
{
    /// <param name="Resume">The user-stream position the client named with <c>resume=</c>, if any.</param>
    /// <param name="ResumeGroups">The groups the client named with <c>resume_groups=</c> (also in <paramref name="Groups"/>) and their positions.</param>
    /// <param name="TokenExpires">When the connection's token runs out; null without one.</param>
    /// <param name="App">What the connect hook gave it: the welcome's <c>data.app</c> and when its session runs out; null without one.</param>
    public sealed record ConnectionOpened(LocalConnection Connection, IReadOnlyList<string> Groups, StreamPosition? Resume = null,
        IReadOnlyDictionary<string, StreamPosition>? ResumeGroups = null, DateTimeOffset? TokenExpires = null, AppSession? App = null);

    /// <summary>The connection refreshed its token: its deadline moves to <paramref name="Expires"/>.</summary>
    public sealed record TokenRenewed(string ConnectionId, DateTimeOffset Expires);

    public sealed record ConnectionClosed(LocalConnection Connection);

    /// <param name="Resume">The group-stream position of the join's <c>data.resume</c>, if any.</param>
    /// <param name="App">What the application's join hook answered for the client: the ack's <c>data.app</c>.</param>
    public sealed record Join(string ConnectionId, string Group, ReadOnlyMemory<byte> Id, StreamPosition? Resume = null,
        ReadOnlyMemory<byte> App = default);

    public sealed record Leave(string ConnectionId, string Group, ReadOnlyMemory<byte> Id);

    /// <summary>From a user bucket entity: these connections of this node get the frame; <paramref name="Stamp"/> is the relayed message's.</summary>
    /// <param name="LeaseFor">The user, when the entity grants this node a lease with the delivery (<see cref="Routing.UserLeases"/>).</param>
    public sealed record DeliverToConnections(string[] ConnectionIds, OutboundFrame Frame, RelayStamp? Stamp = null, string? LeaseFor = null)
        : IRoutingMessage;

    /// <summary>From a group entity: this node's members of the group get the frame; <paramref name="Stamp"/> is the relayed message's.</summary>
    public sealed record DeliverToGroup(string Group, OutboundFrame Frame, RelayStamp? Stamp = null) : IRoutingMessage;

    /// <summary>Every connection of this node gets the frame.</summary>
    public sealed record Broadcast(OutboundFrame Frame) : IRoutingMessage;

    /// <summary>
    /// An entity accepted a connection's frame: the connection gets its ack, with the message's <paramref name="Seq"/> when its
    /// stream numbered it and the join hook's <paramref name="App"/> when it answered one.
    /// </summary>
    public sealed record Accepted(string ConnectionId, ReadOnlyMemory<byte> Id, long Seq = 0, ReadOnlyMemory<byte> App = default) : IRoutingMessage;

    /// <summary>An entity refused a connection's frame: the connection gets an error frame.</summary>
    public sealed record Rejected(string ConnectionId, ReadOnlyMemory<byte> Id, FrameError Error) : IRoutingMessage;

    /// <summary>
    /// Within a node, with lifecycle events on: the group took a connection's join without history (the ack, when the join
    /// had an id), or refused it with <paramref name="Refusal"/> (the error frame).
    /// </summary>
    public sealed record JoinAnswered(string ConnectionId, string Group, ReadOnlyMemory<byte> Id, FrameError? Refusal);

    /// <summary>Within a node: its connections, for a drain or a stop (each partition answers with its <see cref="LocalConnection"/>[]).</summary>
    public sealed class ListHere : IPartitionQuestion
    {
        public static readonly ListHere Instance = new();

        public object Merge(object[] parts, string node) => parts.Cast<LocalConnection[]>().SelectMany(p => p).ToArray();
    }
}

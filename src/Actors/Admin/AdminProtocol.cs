using Switchboard.Actors.Serialization;

namespace Switchboard.Actors.Admin;

/// <summary>
/// The admin API's questions to each node, and the node's answers. The HTTP side asks every Up member at once,
/// one message per node with a deadline; these are wire messages, the JSON answers are the records of Switchboard.Contracts.
/// </summary>
public static class AdminProtocol
{
    /// <summary>One connection of a node, as the admin API shows it; <paramref name="ConnectedAtMs"/> is unix milliseconds.</summary>
    public sealed record ConnectionEntry(string ConnectionId, string UserId, string? RemoteAddress, long ConnectedAtMs,
        string[] Groups, long MessagesIn, long MessagesOut, int OutboxDepth);

    /// <summary>
    /// To a node's NodeConnections, which asks its partitions: its connections with an id after <paramref name="After"/> (ordinal), at most
    /// <paramref name="Limit"/>, of <paramref name="UserId"/> only when given.
    /// </summary>
    public sealed record ListConnections(string? UserId, string? After, int Limit) : IRoutingMessage;

    /// <summary>A page of one node's connections, in id order; <paramref name="More"/> when the node has more after it.</summary>
    public sealed record ConnectionList(string Node, ConnectionEntry[] Connections, bool More) : IRoutingMessage;

    /// <summary>To a node's NodeConnections, which asks its partitions: the groups with members here named after <paramref name="After"/>, at most <paramref name="Limit"/>.</summary>
    public sealed record ListGroups(string? After, int Limit) : IRoutingMessage;

    /// <summary>A page of one node's group names, in ordinal order.</summary>
    public sealed record GroupList(string Node, string[] Groups, bool More) : IRoutingMessage;

    /// <summary>To a node's NodeConnections, which asks its partitions: the names of its <paramref name="Limit"/> groups with the most connections here, largest first.</summary>
    public sealed record ListLargestGroups(int Limit) : IRoutingMessage;

    /// <summary>One node's largest groups by its own connections, largest first (ties by name).</summary>
    public sealed record LargestGroups(string Node, string[] Groups) : IRoutingMessage;

    /// <summary>
    /// To a node's NodeConnections, which asks its partitions: close the connections of <paramref name="UserId"/>, or the one connection
    /// <paramref name="ConnectionId"/>, with 1008 and <paramref name="Reason"/>. <paramref name="By"/> is the API key's name, for the audit line.
    /// </summary>
    public sealed record Kick(string? UserId, string? ConnectionId, string Reason, string By) : IRoutingMessage;

    /// <summary>How many connections a node closed for a <see cref="Kick"/>.</summary>
    public sealed record Kicked(string Node, int Closed) : IRoutingMessage;

    /// <summary>To a node's admin agent: drain and leave. <paramref name="By"/> is the API key's name.</summary>
    public sealed record DrainNode(string By) : IRoutingMessage;

    /// <summary>The answer to <see cref="DrainNode"/>; <paramref name="Started"/> is false when the node was already draining.</summary>
    public sealed record DrainStarted(string Node, bool Started) : IRoutingMessage;

    /// <summary>
    /// Sent to every other node's admin agent: the rate limiter's new settings as JSON (the Service's RateLimiterOptions),
    /// set on <paramref name="Origin"/> by <paramref name="By"/>.
    /// </summary>
    public sealed record RateLimitUpdate(string OptionsJson, string Origin, string By) : IRoutingMessage;

    /// <summary>The answer to <see cref="RateLimitUpdate"/>; <paramref name="Applied"/> is false when the node refused it.</summary>
    public sealed record RateLimitApplied(string Node, bool Applied) : IRoutingMessage;
}

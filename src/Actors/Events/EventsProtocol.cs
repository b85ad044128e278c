using Akka.Cluster;

namespace Switchboard.Actors.Events;

/// <summary>What a node's connection partitions tell its <see cref="EventSender"/>: each one something that happened to a connection.</summary>
public static class EventsProtocol
{
    /// <summary>Something that happened to a connection here, at <see cref="At"/>; the sender gives it its id.</summary>
    public interface IConnectionEvent
    {
        string UserId { get; }
        string ConnectionId { get; }
        DateTimeOffset At { get; }
    }

    /// <param name="Info">The connection's <c>info</c> (a JSON object, checked at the door), or null.</param>
    public sealed record Connected(string UserId, string ConnectionId, byte[]? Info, DateTimeOffset At) : IConnectionEvent;

    /// <summary>A join the group confirmed; <paramref name="At"/> is when it did.</summary>
    public sealed record Joined(string UserId, string ConnectionId, string Group, byte[]? Info, DateTimeOffset At) : IConnectionEvent;

    /// <summary>A leave the connection asked for while connected.</summary>
    public sealed record Left(string UserId, string ConnectionId, string Group, DateTimeOffset At) : IConnectionEvent;

    /// <summary>The connection ended and left every group it was in.</summary>
    /// <param name="Code">The close code (1006 when it ended without a close frame).</param>
    /// <param name="Reason">The close's reason, or <see cref="NodeLostReason"/>.</param>
    public sealed record Disconnected(string UserId, string ConnectionId, ushort Code, string Reason, long DurationMs, DateTimeOffset At)
        : IConnectionEvent;

    /// <summary>The reason of a <c>disconnected</c> made for a connection of a node the cluster removed.</summary>
    public const string NodeLostReason = "node_lost";

    /// <summary>Answered with <see cref="Drained"/> once nothing waits, or a send has failed: the node is stopping.</summary>
    public sealed class Drain
    {
        public static readonly Drain Instance = new();
    }

    public sealed class Drained
    {
        public static readonly Drained Instance = new();
    }
}

/// <summary>
/// One run of a node: its name in events (host:port) and its incarnation's uid, which a restart on the same address
/// changes. Event ids and the keys of a store are made from it, so that two runs never mix.
/// </summary>
public sealed record NodeRun(string Name, long Uid)
{
    public static NodeRun Of(UniqueAddress address) => new($"{address.Address.Host}:{address.Address.Port}", address.Uid);

    /// <summary>What names this run in ids and keys: <c>host:port/uid</c>.</summary>
    public string Key => $"{Name}/{Uid:x}";
}

using Akka.Actor;
using Switchboard.Streams;

namespace Switchboard.Actors.Hub;

/// <summary>
/// A connection on this node, who it belongs to and the partition that holds it; when it connected and from where, for
/// the admin API.
/// </summary>
public sealed record LocalConnection(WebSocketConnection Connection, string UserId, IActorRef Partition)
{
    public string Id => Connection.Id;

    public DateTimeOffset ConnectedAt { get; init; } = DateTimeOffset.UtcNow;

    /// <summary>The connection's <c>info</c> (a JSON object of at most 1 KB, checked at the door), shown by presence.</summary>
    /// <remarks>
    /// Set again only by its partition, when a refresh hook's answer gives a new one; others read it from their own threads
    /// and see either whole value (one reference).
    /// </remarks>
    public byte[]? Info { get; set; }

    /// <summary>The client's address as the socket saw it, when known.</summary>
    public string? RemoteAddress { get; init; }

    /// <summary>Disposed when the connection has ended (the client's places in its quotas).</summary>
    internal IDisposable? Lease { get; init; }
}

namespace Switchboard.Actors.Events;

/// <summary>
/// Where a node's events wait until the application has taken them, oldest first, at most a bound of them: past it the
/// oldest are dropped and counted as unreported until an <c>events_dropped</c> that says so has been taken. Positions are
/// absolute (how many events ever left the head), so that a batch taken and then partly dropped is removed right.
/// Only the node's <see cref="EventSender"/> calls it, one call at a time.
/// </summary>
public interface IEventStore
{
    /// <summary>Adds <paramref name="events"/> at the tail; <paramref name="droppedBefore"/> were dropped before they could be added.</summary>
    Task<EventsAppended> AppendAsync(IReadOnlyList<StoredEvent> events, int maxPending, long droppedBefore);

    /// <summary>The oldest events, at most <paramref name="max"/>, and the drops not yet reported.</summary>
    Task<PendingEvents> PeekAsync(int max);

    /// <summary>The application took what was pending before <paramref name="until"/> and a report of <paramref name="reported"/> drops; returns what still waits.</summary>
    Task<long> RemoveAsync(long until, long reported);

    /// <summary>
    /// Takes over what a node the cluster removed left waiting, when no other survivor has: its events, then a
    /// <c>disconnected</c> (reason <c>node_lost</c>) for each connection it held. Null when another survivor did, or when
    /// the store keeps nothing beyond its node.
    /// </summary>
    Task<AdoptedRun?> AdoptAsync(NodeRun lost, int maxPending);
}

/// <summary>An event as stored: its JSON, and the connection it opened (<paramref name="Opened"/>) or closed (<paramref name="ClosedId"/>).</summary>
public sealed record StoredEvent(byte[] Json, OpenConnection? Opened = null, string? ClosedId = null);

/// <summary>A connection open on the node, as a store that outlives it keeps it: enough to say later that it was lost.</summary>
public sealed record OpenConnection(string ConnectionId, string UserId, string Node, long ConnectedAtMs);

/// <param name="Pending">Events waiting after the append.</param>
/// <param name="Dropped">Events dropped by this append (those before it included).</param>
public sealed record EventsAppended(long Pending, long Dropped);

/// <param name="Head">The position of the first of <paramref name="Events"/>.</param>
/// <param name="Unreported">Drops no <c>events_dropped</c> has reported yet.</param>
public sealed record PendingEvents(long Head, long Unreported, IReadOnlyList<byte[]> Events, long Pending);

/// <param name="Events">The lost node's events taken over, and <paramref name="Connections"/> its connections said lost.</param>
public sealed record AdoptedRun(long Events, long Connections, long Pending, long Dropped);

namespace Switchboard.Actors.Routing.State;

/// <summary>
/// Places a <see cref="UserBucketState"/> holds for connections a node admitted under the cluster-wide bound per user
/// (<see cref="UserProtocol.ReserveConnection"/>) and that have not opened yet: between the node's question and the
/// connection's <see cref="UserProtocol.AddConnection"/> lie the 101 answer and the partition's registration, and
/// another node's upgrade in that moment must count this one. The place becomes the connection when it opens; one whose
/// upgrade failed lapses after <see cref="Lifetime"/>, so it never keeps a user out for longer.
/// </summary>
public sealed class ConnectionReservations
{
    /// <summary>
    /// How long a place waits for its connection: far beyond an upgrade's answer and registration (milliseconds), short
    /// enough that an upgrade that failed without a word costs its user a place for seconds only.
    /// </summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(5);

    /// <summary>User id → its places, each a connection id and when it lapses (Environment.TickCount64). Few per user: at most the bound.</summary>
    private readonly Dictionary<string, List<(string ConnectionId, long Until)>> _byUser = new();

    public bool IsEmpty => _byUser.Count == 0;

    /// <summary>The user's places that have not lapsed at <paramref name="now"/>.</summary>
    public int Count(string userId, long now) =>
        _byUser.TryGetValue(userId, out var places) ? places.Count(p => p.Until > now) : 0;

    /// <summary>Whether a place for this connection is held and has not lapsed (a repeated question).</summary>
    public bool Holds(string userId, string connectionId, long now) =>
        _byUser.TryGetValue(userId, out var places) && places.Exists(p => p.ConnectionId == connectionId && p.Until > now);

    public void Hold(string userId, string connectionId, long now)
    {
        if (!_byUser.TryGetValue(userId, out var places))
            _byUser[userId] = places = new List<(string, long)>(1);
        places.RemoveAll(p => p.ConnectionId == connectionId);
        places.Add((connectionId, now + (long)Lifetime.TotalMilliseconds));
    }

    /// <summary>The connection opened (its place becomes the connection) or will never open: its place goes.</summary>
    public void Release(string userId, string connectionId)
    {
        if (_byUser.TryGetValue(userId, out var places) && places.RemoveAll(p => p.ConnectionId == connectionId) > 0
            && places.Count == 0)
            _byUser.Remove(userId);
    }

    /// <summary>Forgets the places that lapsed by <paramref name="now"/>; answers when the next one lapses, null when none is left.</summary>
    public long? Expire(long now)
    {
        long? next = null;
        List<string>? empty = null;
        foreach (var (userId, places) in _byUser)
        {
            places.RemoveAll(p => p.Until <= now);
            if (places.Count == 0)
                (empty ??= []).Add(userId);
            foreach (var (_, until) in places)
                next = next is { } earliest ? Math.Min(earliest, until) : until;
        }
        foreach (var userId in empty ?? [])
            _byUser.Remove(userId);
        return next;
    }
}

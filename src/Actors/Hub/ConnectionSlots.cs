namespace Switchboard.Actors.Hub;

/// <summary>
/// How full this node is: the connection slots taken under MaxConnections, and how many distinct users hold them. Counts
/// only; who is connected is the partitions' to know.
/// </summary>
public sealed class ConnectionSlots
{
    private int _count;
    private int _users;

    public int Count => Volatile.Read(ref _count);

    /// <summary>Distinct users with at least one connection on this node.</summary>
    public int Users => Volatile.Read(ref _users);

    /// <summary>Reserves a slot under <paramref name="limit"/>; false when the node is full.</summary>
    public bool TryReserve(int limit)
    {
        while (true)
        {
            var current = Volatile.Read(ref _count);
            if (current >= limit)
                return false;
            if (Interlocked.CompareExchange(ref _count, current + 1, current) == current)
                return true;
        }
    }

    public void Release() => Interlocked.Decrement(ref _count);

    /// <summary>A user's first connection on this node opened (a user's connections share one partition, which tells).</summary>
    public void UserArrived() => Interlocked.Increment(ref _users);

    public void UserLeft() => Interlocked.Decrement(ref _users);
}

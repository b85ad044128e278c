using System.Collections.Concurrent;
using Switchboard.Streams;

namespace Switchboard.Actors.Hub;

/// <summary>A connection on this node and who it belongs to; when it connected and from where, for the admin API.</summary>
public sealed record LocalConnection(WebSocketConnection Connection, string UserId)
{
    public string Id => Connection.Id;

    public DateTimeOffset ConnectedAt { get; init; } = DateTimeOffset.UtcNow;

    /// <summary>The client's address as the socket saw it, when known.</summary>
    public string? RemoteAddress { get; init; }

    /// <summary>Disposed when the connection has ended (the client's places in its quotas).</summary>
    internal IDisposable? Lease { get; init; }
}

/// <summary>The live connections of this node, by connection id and by user.</summary>
public sealed class LocalConnections
{
    private readonly ConcurrentDictionary<string, LocalConnection> _byId = new();
    private readonly ConcurrentDictionary<string, int> _perUser = new();
    private int _count;

    public int Count => Volatile.Read(ref _count);

    /// <summary>Distinct users with at least one connection on this node.</summary>
    public int Users => _perUser.Count;

    public IEnumerable<LocalConnection> All => _byId.Values;

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

    public void ReleaseReservation() => Interlocked.Decrement(ref _count);

    /// <summary>Adds a connection whose slot was reserved.</summary>
    public void Add(LocalConnection connection)
    {
        _byId[connection.Id] = connection;
        _perUser.AddOrUpdate(connection.UserId, 1, static (_, n) => n + 1);
    }

    /// <summary>Removes a connection and releases its slot.</summary>
    public void Remove(LocalConnection connection)
    {
        if (!_byId.TryRemove(connection.Id, out _))
            return;
        while (true)
        {
            var n = _perUser.GetValueOrDefault(connection.UserId);
            if (n <= 1 ? _perUser.TryRemove(new KeyValuePair<string, int>(connection.UserId, n))
                       : _perUser.TryUpdate(connection.UserId, n - 1, n))
                break;
        }
        ReleaseReservation();
    }
}

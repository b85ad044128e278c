using System.Collections.Concurrent;
using Switchboard.Streams;
using Switchboard.Streams.Outbound;

namespace Switchboard.Actors.Routing;

/// <summary>
/// This node's leases: a user bucket entity's promise that every connection of a user is on this node, in the user's
/// partition here. The entity grants one with a delivery (<see cref="Delivery.DeliveryProtocol.DeliverToConnections.LeaseFor"/>)
/// and takes it back (<see cref="UserProtocol.RevokeLease"/>) before it counts a connection of the user anywhere else, so
/// while a lease is active a sender on this node offers a direct message to the user's connections itself, not through
/// the shard region, the shard, the entity and the partition. Only the user's partition grants, ends and forgets and
/// keeps the lease's connections; senders read under the lease's lock.
/// </summary>
public sealed class UserLeases
{
    private readonly ConcurrentDictionary<string, UserLease> _byUser = new(StringComparer.Ordinal);

    public UserLease? Find(string userId) => _byUser.GetValueOrDefault(userId);

    /// <summary>The user's lease, made inactive when it is new: by the partition, for a user with connections there.</summary>
    internal UserLease Of(string userId) => _byUser.GetOrAdd(userId, static _ => new UserLease());

    /// <summary>The user's last connection here closed: the lease ends for a sender that still holds it.</summary>
    internal void Forget(string userId)
    {
        if (_byUser.TryRemove(userId, out var lease))
            lease.End();
    }
}

/// <summary>
/// One user's lease on this node. A sender that finds it inactive sends through the entity and counts the message here
/// until the relay settles it; the partition activates it only with nothing counted, so a direct message never overtakes
/// one of this node's messages still on its way through the entity.
/// </summary>
public sealed class UserLease
{
    private int _throughEntity;
    private bool _active;
    private bool _ended;
    private WebSocketConnection[] _connections = [];

    /// <summary>Under the lock: whether a sender may offer a message to the connections itself now.</summary>
    internal bool IsActive => _active;

    /// <summary>Under the lock, while active: offers the frame to each of the user's connections here; how many took it.</summary>
    internal int Offer(OutboundFrame frame)
    {
        var delivered = 0;
        foreach (var connection in _connections)
        {
            if (connection.Send(frame) is OfferResult.Enqueued or OfferResult.Waiting)
                delivered++;
        }
        return delivered;
    }

    /// <summary>The user's connections here, as its partition has them after an open or a close.</summary>
    internal void Hold(WebSocketConnection[] connections)
    {
        lock (this)
            _connections = connections;
    }

    /// <summary>Under the lock: counts a message sent through the entity; false once the lease ended (nothing to count for).</summary>
    internal bool CountThroughEntity()
    {
        if (_ended)
            return false;
        _throughEntity++;
        return true;
    }

    /// <summary>The relay settled a counted message (its entity handled it and, where it went to this node, the partition has it).</summary>
    internal void Settled() => Interlocked.Decrement(ref _throughEntity);

    /// <summary>A grant arrived with a delivery: active when no counted message is still on its way.</summary>
    internal void Grant()
    {
        lock (this)
        {
            if (!_ended && Volatile.Read(ref _throughEntity) == 0)
                _active = true;
        }
    }

    /// <summary>Revoked, or its entity started anew: the next message goes through the entity.</summary>
    internal void Revoke()
    {
        lock (this)
            _active = false;
    }

    internal void End()
    {
        lock (this)
            (_active, _ended, _connections) = (false, true, []);
    }
}

using Akka.Actor;

namespace Switchboard.Actors.Routing.State;

/// <summary>
/// A user bucket entity's side of the leases (<see cref="UserLeases"/>): which partition holds each user's, and the connection
/// changes of a user that wait while the entity takes its lease back. A connection that opens elsewhere is counted only once
/// the holder's senders go through the entity again, so no direct message misses a connection the entity knows.
/// </summary>
public sealed class LeaseHolders
{
    private readonly Dictionary<string, IActorRef> _holderOf = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (IActorRef Holder, List<object> Changes)> _waiting = new(StringComparer.Ordinal);

    public bool IsEmpty => _holderOf.Count == 0 && _waiting.Count == 0;

    /// <summary>Grants <paramref name="partition"/> the user's lease unless one is being taken back; true when granted.</summary>
    public bool TryGrant(string userId, IActorRef partition)
    {
        if (_waiting.ContainsKey(userId))
            return false;
        _holderOf[userId] = partition;
        return true;
    }

    /// <summary>
    /// A connection change of the user (<c>AddConnection</c> or <c>RemoveConnection</c>): true when it must wait, queued here.
    /// A connection added on a partition other than the holder starts the wait: <paramref name="revokeFrom"/> is the holder to ask.
    /// </summary>
    public bool MustWait(string userId, object change, IActorRef? addedOn, out IActorRef? revokeFrom)
    {
        revokeFrom = null;
        if (_waiting.TryGetValue(userId, out var waiting))
        {
            waiting.Changes.Add(change);
            return true;
        }
        if (addedOn is null || !_holderOf.TryGetValue(userId, out var holder) || holder.Equals(addedOn))
            return false;
        _holderOf.Remove(userId);
        _waiting[userId] = (holder, [change]);
        revokeFrom = holder;
        return true;
    }

    /// <summary>The holder gave the lease back: the changes that waited, in their order.</summary>
    public List<object>? Revoked(string userId, IActorRef holder)
    {
        if (!_waiting.TryGetValue(userId, out var waiting) || !waiting.Holder.Equals(holder))
            return null;
        _waiting.Remove(userId);
        return waiting.Changes;
    }

    /// <summary>The user has no connection left: nothing to hold.</summary>
    public void Forget(string userId) => _holderOf.Remove(userId);

    /// <summary>A holder's node is gone: its leases with it, and the changes that waited for it.</summary>
    public List<List<object>> NodeLost(IActorRef node)
    {
        foreach (var user in _holderOf.Where(h => h.Value.Equals(node)).Select(h => h.Key).ToList())
            _holderOf.Remove(user);
        var released = new List<List<object>>();
        foreach (var (user, waiting) in _waiting.Where(w => w.Value.Holder.Equals(node)).ToList())
        {
            _waiting.Remove(user);
            released.Add(waiting.Changes);
        }
        return released;
    }
}

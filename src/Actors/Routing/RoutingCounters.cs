namespace Switchboard.Actors.Routing;

/// <summary>How a delivered message was addressed.</summary>
public enum DeliveryKind
{
    Direct,
    Group,
    Broadcast,
}

/// <summary>This node's routing outcomes, beside the connection counters.</summary>
public sealed class RoutingCounters
{
    private long _deliveredDirect;
    private long _deliveredToGroups;
    private long _deliveredBroadcasts;
    private long _undeliverable;
    private long _broadcastsDropped;
    private long _resent;
    private long _unconfirmed;
    private long _repeatsDropped;
    private long _sentHere;
    private long _resumesRecovered;
    private long _resumesNotRecovered;
    /// <summary>Each group with members here and in how many of the node's partitions.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _partitionsOfGroup = new(StringComparer.Ordinal);

    /// <summary>Messages handed to a recipient connection's buffer.</summary>
    public long Delivered => DeliveredAs(DeliveryKind.Direct) + DeliveredAs(DeliveryKind.Group) + DeliveredAs(DeliveryKind.Broadcast);

    /// <summary>The part of <see cref="Delivered"/> that was addressed as <paramref name="kind"/>.</summary>
    public long DeliveredAs(DeliveryKind kind) => Volatile.Read(ref DeliveredCount(kind));

    /// <summary>Messages to a user with no connection or a group with no member.</summary>
    public long Undeliverable => Volatile.Read(ref _undeliverable);

    /// <summary>Deliveries lost because a partition's broadcast queue was full.</summary>
    public long BroadcastsDropped => Volatile.Read(ref _broadcastsDropped);

    /// <summary>Copies this node's relay sent again because their entity had not confirmed them.</summary>
    public long Resent => Volatile.Read(ref _resent);

    /// <summary>Messages the relay refused (too many waiting) or gave up on; their senders got <c>unavailable</c>.</summary>
    public long Unconfirmed => Volatile.Read(ref _unconfirmed);

    /// <summary>Second copies of resent messages that this node had already delivered.</summary>
    public long RepeatsDropped => Volatile.Read(ref _repeatsDropped);

    /// <summary>Direct messages a sender on this node offered to the recipient's connections itself, under the recipient's lease.</summary>
    public long SentHere => Volatile.Read(ref _sentHere);

    /// <summary>Resumes this node answered, by whether the stream's history reached back to the client's position.</summary>
    public long Resumes(bool recovered) => Volatile.Read(ref recovered ? ref _resumesRecovered : ref _resumesNotRecovered);

    /// <summary>Groups with at least one member on this node.</summary>
    public int LocalGroups => _partitionsOfGroup.Count;

    /// <summary>A partition of this node got its first member of <paramref name="group"/> (<paramref name="joined"/>) or lost its last.</summary>
    public void GroupMembership(string group, bool joined)
    {
        if (joined)
        {
            _partitionsOfGroup.AddOrUpdate(group, 1, static (_, n) => n + 1);
            return;
        }
        while (_partitionsOfGroup.TryGetValue(group, out var n))
        {
            if (n <= 1 ? _partitionsOfGroup.TryRemove(new KeyValuePair<string, int>(group, n)) : _partitionsOfGroup.TryUpdate(group, n - 1, n))
                return;
        }
    }

    public void RecordDelivered(DeliveryKind kind, int count = 1) => Interlocked.Add(ref DeliveredCount(kind), count);

    private ref long DeliveredCount(DeliveryKind kind)
    {
        switch (kind)
        {
            case DeliveryKind.Direct:
                return ref _deliveredDirect;
            case DeliveryKind.Group:
                return ref _deliveredToGroups;
            default:
                return ref _deliveredBroadcasts;
        }
    }

    public void RecordUndeliverable() => Interlocked.Increment(ref _undeliverable);

    public void RecordResent() => Interlocked.Increment(ref _resent);

    public void RecordUnconfirmed() => Interlocked.Increment(ref _unconfirmed);

    public void RecordSentHere() => Interlocked.Increment(ref _sentHere);

    public void RecordRepeatDropped() => Interlocked.Increment(ref _repeatsDropped);

    public void RecordBroadcastDropped(int recipients) => Interlocked.Add(ref _broadcastsDropped, recipients);

    public void RecordResume(bool recovered) => Interlocked.Increment(ref recovered ? ref _resumesRecovered : ref _resumesNotRecovered);
}

namespace Switchboard.Actors.Routing;

/// <summary>This node's routing outcomes, beside the connection counters.</summary>
public sealed class RoutingCounters
{
    private long _delivered;
    private long _undeliverable;
    private long _broadcastsDropped;
    private int _localGroups;

    /// <summary>Messages handed to a recipient connection's buffer.</summary>
    public long Delivered => Volatile.Read(ref _delivered);

    /// <summary>Messages to a user with no connection or a group with no member.</summary>
    public long Undeliverable => Volatile.Read(ref _undeliverable);

    /// <summary>Deliveries lost because a broadcast worker's queue was full.</summary>
    public long BroadcastsDropped => Volatile.Read(ref _broadcastsDropped);

    /// <summary>Groups with at least one member on this node.</summary>
    public int LocalGroups
    {
        get => Volatile.Read(ref _localGroups);
        set => Volatile.Write(ref _localGroups, value);
    }

    public void RecordDelivered(int count = 1) => Interlocked.Add(ref _delivered, count);

    public void RecordUndeliverable() => Interlocked.Increment(ref _undeliverable);

    public void RecordBroadcastDropped(int recipients) => Interlocked.Add(ref _broadcastsDropped, recipients);
}

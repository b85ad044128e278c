namespace Switchboard.Streams.Outbound;

/// <summary>
/// The frames that bypass a connection's bound and go out ahead of data: the welcome, protocol pings and
/// pongs. At most one pong is owed (RFC 6455 §5.5.3: a newer ping's pong replaces one not yet sent) and at
/// most one ping waits, so a client that sends pings and never reads cannot grow the lane. Not thread-safe:
/// the <see cref="Outbox"/> uses it under its lock.
/// </summary>
internal sealed class ControlLane(ConnectionCounters counters)
{
    // The welcome is the one frame a connection queues here: it takes a field, and only a second frame queued behind
    // it makes a queue (every idle connection would otherwise keep one, and its array, for its first frame).
    private OutboundFrame? _next;
    private Queue<OutboundFrame>? _later;
    private OutboundFrame? _pong;
    private OutboundFrame? _ping;

    public int Count => (_next is null ? 0 : 1) + (_later?.Count ?? 0) + (_pong is null ? 0 : 1) + (_ping is null ? 0 : 1);

    public void Enqueue(OutboundFrame frame)
    {
        if (_next is null)
            _next = frame;
        else
            (_later ??= new Queue<OutboundFrame>()).Enqueue(frame);
        counters.AddQueuedControlFrames(1);
    }

    public void OwePong(OutboundFrame pong)
    {
        if (_pong is null)
            counters.AddQueuedControlFrames(1);
        _pong = pong;
    }

    /// <summary>False when a ping still waits to go out: the new one would say nothing more.</summary>
    public bool TryQueuePing(OutboundFrame ping)
    {
        if (_ping is not null)
            return false;
        _ping = ping;
        counters.AddQueuedControlFrames(1);
        return true;
    }

    public void MoveTo(List<OutboundFrame> batch)
    {
        var moved = Count;
        if (_next is not null)
            batch.Add(_next);
        while (_later is { Count: > 0 })
            batch.Add(_later.Dequeue());
        if (_pong is not null)
            batch.Add(_pong);
        if (_ping is not null)
            batch.Add(_ping);
        _next = _pong = _ping = null;
        if (moved > 0)
            counters.AddQueuedControlFrames(-moved);
    }

    public void Clear()
    {
        var dropped = Count;
        _later?.Clear();
        _next = _pong = _ping = null;
        if (dropped > 0)
            counters.AddQueuedControlFrames(-dropped);
    }
}

namespace Switchboard.Streams.Outbound;

/// <summary>
/// The frames that bypass a connection's bound and go out ahead of data: the welcome, protocol pings and
/// pongs. At most one pong is owed (RFC 6455 §5.5.3: a newer ping's pong replaces one not yet sent) and at
/// most one ping waits, so a client that sends pings and never reads cannot grow the lane. Not thread-safe:
/// the <see cref="Outbox"/> uses it under its lock.
/// </summary>
internal sealed class ControlLane(ConnectionCounters counters)
{
    private readonly Queue<OutboundFrame> _queued = new();
    private OutboundFrame? _pong;
    private OutboundFrame? _ping;

    public int Count => _queued.Count + (_pong is null ? 0 : 1) + (_ping is null ? 0 : 1);

    public void Enqueue(OutboundFrame frame)
    {
        _queued.Enqueue(frame);
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
        while (_queued.Count > 0)
            batch.Add(_queued.Dequeue());
        if (_pong is not null)
            batch.Add(_pong);
        if (_ping is not null)
            batch.Add(_ping);
        _pong = _ping = null;
        if (moved > 0)
            counters.AddQueuedControlFrames(-moved);
    }

    public void Clear()
    {
        var dropped = Count;
        _queued.Clear();
        _pong = _ping = null;
        if (dropped > 0)
            counters.AddQueuedControlFrames(-dropped);
    }
}

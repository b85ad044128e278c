namespace Switchboard.Streams.Outbound;

/// <summary>
/// Tells a stalled socket from a busy node. The socket's pipe is full when the writer's flush waits. That
/// happens to a client that keeps up too, for a moment, when Kestrel's send loop or the client is slow to
/// be scheduled; a socket counts as stalled only once its pipe has been full for <c>grace</c> in all since
/// the connection last caught up (had nothing left to write). A client that reads slowly but steadily
/// stalls too: its pipe empties now and then, but the connection never catches up. Not thread-safe: the
/// <see cref="Outbox"/> uses it under its lock. Times are Environment.TickCount64 milliseconds. A struct, held
/// in a field of its outbox: one object fewer per connection.
/// </summary>
internal struct StallClock(TimeSpan grace)
{
    private readonly long _graceMs = (long)grace.TotalMilliseconds;
    private bool _pipeFull;
    private long _fullSince;
    private long _fullBefore;

    public void PipeFilled(long now)
    {
        _pipeFull = true;
        _fullSince = now;
    }

    public void PipeDrained(long now)
    {
        if (!_pipeFull)
            return;
        _pipeFull = false;
        _fullBefore += now - _fullSince;
    }

    public void CaughtUp() => _fullBefore = 0;

    public readonly bool IsStalled(long now) => _pipeFull && _fullBefore + (now - _fullSince) >= _graceMs;
}

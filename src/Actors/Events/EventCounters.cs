namespace Switchboard.Actors.Events;

/// <summary>The node's lifecycle-event figures, written by its <see cref="EventSender"/>, read by metrics and <c>/ws/stats</c>.</summary>
public sealed class EventCounters
{
    private long _sent;
    private long _retried;
    private long _dropped;
    private long _pending;

    /// <summary>Events the application took (a 2xx), duplicates of a resent batch each time.</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Attempts at a batch that failed and will be made again.</summary>
    public long Retried => Interlocked.Read(ref _retried);

    /// <summary>Events dropped, oldest first, while more than <c>Events:MaxPending</c> waited.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Events waiting now.</summary>
    public long Pending => Interlocked.Read(ref _pending);

    internal void RecordSent(int events) => Interlocked.Add(ref _sent, events);
    internal void RecordRetried() => Interlocked.Increment(ref _retried);
    internal void RecordDropped(long events) => Interlocked.Add(ref _dropped, events);
    internal void SetPending(long events) => Interlocked.Exchange(ref _pending, events);
}

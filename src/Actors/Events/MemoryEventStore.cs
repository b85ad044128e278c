namespace Switchboard.Actors.Events;

/// <summary><c>Events:Store=memory</c>: the events wait in the node's memory, and end with it.</summary>
public sealed class MemoryEventStore : IEventStore
{
    private readonly Queue<byte[]> _events = new();
    private long _head;
    private long _unreported;

    public Task<EventsAppended> AppendAsync(IReadOnlyList<StoredEvent> events, int maxPending, long droppedBefore)
    {
        foreach (var e in events)
            _events.Enqueue(e.Json);
        var dropped = droppedBefore;
        while (_events.Count > maxPending)
        {
            _events.Dequeue();
            _head++;
            dropped++;
        }
        _unreported += dropped;
        return Task.FromResult(new EventsAppended(_events.Count, dropped));
    }

    public Task<PendingEvents> PeekAsync(int max) =>
        Task.FromResult(new PendingEvents(_head, _unreported, _events.Take(max).ToArray(), _events.Count));

    public Task<long> RemoveAsync(long until, long reported)
    {
        for (var n = until - _head; n > 0 && _events.Count > 0; n--)
        {
            _events.Dequeue();
            _head++;
        }
        _unreported = Math.Max(0, _unreported - reported);
        return Task.FromResult((long)_events.Count);
    }

    public Task<AdoptedRun?> AdoptAsync(NodeRun lost, int maxPending) => Task.FromResult<AdoptedRun?>(null);
}

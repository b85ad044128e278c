using Switchboard.Streams;

namespace Switchboard.Actors.Delivery.State;

/// <summary>
/// The token deadlines of one partition's connections, in one queue instead of a timer per connection: each connection is
/// warned <see cref="Warning"/> before its token's <c>exp</c> (at the next sweep when less is left) and closed once
/// <c>exp</c> plus the leeway has passed. A refresh moves its deadline; the earlier one, still queued, goes stale.
/// </summary>
public sealed class TokenDeadlineQueue(TimeSpan leeway)
{
    public const ushort ExpiredCloseCode = 4401;
    public static readonly TimeSpan Warning = TimeSpan.FromSeconds(30);

    private readonly Dictionary<WebSocketConnection, Deadline> _current = new();
    private readonly PriorityQueue<Deadline, DateTimeOffset> _due = new();

    public int Count => _current.Count;

    /// <summary>Entries in the queue, live and stale.</summary>
    public int Queued => _due.Count;

    /// <summary>Sets (or moves) the deadline of <paramref name="connection"/>'s token.</summary>
    public void Track(WebSocketConnection connection, DateTimeOffset expires)
    {
        var deadline = new Deadline(connection, expires);
        _current[connection] = deadline;
        _due.Enqueue(deadline, expires - Warning);
        CompactWhenMostlyStale();
    }

    public void Untrack(WebSocketConnection connection)
    {
        _current.Remove(connection);
        CompactWhenMostlyStale();
    }

    // A stale entry holds its connection until its time comes, hours for a long token: with many short connections or
    // renewals the queue is rebuilt from the live deadlines once it is mostly stale, so what it holds follows what is live.
    private void CompactWhenMostlyStale()
    {
        if (_due.Count <= 2 * _current.Count + 64)
            return;
        _due.Clear();
        foreach (var deadline in _current.Values)
            _due.Enqueue(deadline, deadline.Warned ? deadline.Expires + leeway : deadline.Expires - Warning);
    }

    /// <summary>The deadlines passed at <paramref name="now"/>: each a warning (and its seconds left) or a close.</summary>
    public List<(WebSocketConnection Connection, bool Close, long SecondsLeft)>? Due(DateTimeOffset now)
    {
        List<(WebSocketConnection, bool, long)>? due = null;
        while (_due.TryPeek(out var deadline, out var at) && at <= now)
        {
            _due.Dequeue();
            if (!_current.TryGetValue(deadline.Connection, out var current) || current != deadline)
                continue;
            var close = deadline.Warned;
            if (close)
                _current.Remove(deadline.Connection);
            else
            {
                deadline.Warned = true;
                _due.Enqueue(deadline, deadline.Expires + leeway);
            }
            (due ??= []).Add((deadline.Connection, close, Math.Max(0, (long)Math.Ceiling((deadline.Expires - now).TotalSeconds))));
        }
        return due;
    }

    private sealed class Deadline(WebSocketConnection connection, DateTimeOffset expires)
    {
        public WebSocketConnection Connection { get; } = connection;
        public DateTimeOffset Expires { get; } = expires;
        public bool Warned { get; set; }
    }
}

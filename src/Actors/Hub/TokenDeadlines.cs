using Switchboard.Streams;
using Switchboard.Streams.Json;

namespace Switchboard.Actors.Hub;

/// <summary>
/// The node's token deadlines, in one place instead of a timer per connection: swept once a second, each
/// connection gets <c>token_expiring</c> <see cref="Warning"/> before its token's <c>exp</c> (at the next sweep when
/// less is left) and is closed with 4401 once <c>exp</c> plus the leeway has passed. A refresh moves its deadline.
/// </summary>
public sealed class TokenDeadlines : IDisposable
{
    public const ushort ExpiredCloseCode = 4401;
    public static readonly TimeSpan Warning = TimeSpan.FromSeconds(30);

    private readonly TimeSpan _leeway;
    private readonly TimeProvider _clock;
    private readonly ITimer _sweep;
    private readonly Lock _lock = new();
    private readonly Dictionary<WebSocketConnection, Deadline> _current = new();
    private readonly PriorityQueue<Deadline, DateTimeOffset> _due = new();

    public TokenDeadlines(TimeSpan leeway, TimeProvider clock)
    {
        _leeway = leeway;
        _clock = clock;
        _sweep = clock.CreateTimer(_ => Sweep(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    /// <summary>Sets (or moves) the deadline of <paramref name="connection"/>'s token.</summary>
    public void Track(WebSocketConnection connection, DateTimeOffset expires)
    {
        var deadline = new Deadline(connection, expires);
        lock (_lock)
        {
            _current[connection] = deadline; // an earlier deadline still queued is stale from now on
            _due.Enqueue(deadline, expires - Warning);
        }
    }

    public void Untrack(WebSocketConnection connection)
    {
        lock (_lock)
            _current.Remove(connection);
    }

    private void Sweep()
    {
        var now = _clock.GetUtcNow();
        List<(Deadline, bool Close)>? due = null;
        lock (_lock)
        {
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
                    _due.Enqueue(deadline, deadline.Expires + _leeway);
                }
                (due ??= []).Add((deadline, close));
            }
        }
        if (due is null)
            return;
        // Outside the lock: both only offer to the connection's outbox.
        foreach (var (deadline, close) in due)
        {
            if (close)
                deadline.Connection.Close(ExpiredCloseCode, "token expired");
            else
                deadline.Connection.Send(ServerFrames.TokenExpiring(Math.Max(0, (long)Math.Ceiling((deadline.Expires - now).TotalSeconds))));
        }
    }

    public void Dispose() => _sweep.Dispose();

    private sealed class Deadline(WebSocketConnection connection, DateTimeOffset expires)
    {
        public WebSocketConnection Connection { get; } = connection;
        public DateTimeOffset Expires { get; } = expires;
        public bool Warned { get; set; }
    }
}

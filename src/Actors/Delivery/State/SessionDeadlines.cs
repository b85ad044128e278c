using Switchboard.Actors.Hub;

namespace Switchboard.Actors.Delivery.State;

/// <summary>What a session deadline asks of its partition now.</summary>
public enum SessionStep
{
    /// <summary>Ask the refresh hook to extend the session.</summary>
    Ask,

    /// <summary>The session ran out unextended: end it, or let it go on, as the refresh hook's policy says.</summary>
    Expire,
}

/// <summary>
/// The deadlines of the sessions a connect hook granted (<c>expires_in</c>) to one partition's connections, in one queue, as
/// <see cref="TokenDeadlineQueue"/> keeps the tokens': each session is due to be refreshed <see cref="Ahead"/> before it runs
/// out (at once when less is left), asked again every <see cref="RetryAfter"/> while the refresh hook fails, and expires when
/// it runs out unextended, having been asked at least once. Without a refresh hook a session is only due to expire. A session being asked is not due at all
/// until its answer comes.
/// </summary>
public sealed class SessionDeadlines(bool refreshes)
{
    public static readonly TimeSpan Ahead = TimeSpan.FromSeconds(30);

    /// <summary>How soon a refresh that failed is asked again: often enough to catch a backend back in time, rarely enough not to hammer one that is down.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);

    private readonly Dictionary<string, Session> _current = new(StringComparer.Ordinal);
    private readonly PriorityQueue<(Session Session, int Stamp), DateTimeOffset> _due = new();

    public int Count => _current.Count;

    /// <summary>Entries in the queue, live and stale.</summary>
    public int Queued => _due.Count;

    /// <summary>Sets (or moves, after a refresh) when <paramref name="local"/>'s session runs out.</summary>
    public void Track(LocalConnection local, DateTimeOffset expires)
    {
        if (!_current.TryGetValue(local.Id, out var session))
            _current[local.Id] = session = new Session(local);
        session.Expires = expires;
        session.Asking = false;
        session.Asked = false;
        Schedule(session, refreshes ? expires - Ahead : expires);
    }

    /// <summary>The session no longer runs out: the connection closed, or an answer lifted its deadline.</summary>
    public void Untrack(string connectionId)
    {
        _current.Remove(connectionId);
        CompactWhenMostlyStale();
    }

    /// <summary>The connection whose refresh was answered; null when it has closed since, or its session is not being asked.</summary>
    public LocalConnection? Asked(string connectionId) =>
        _current.TryGetValue(connectionId, out var session) && session.Asking ? session.Local : null;

    /// <summary>
    /// A refresh failed at <paramref name="now"/>: true when the session has run out meanwhile (it is no longer tracked); else
    /// it is asked again <see cref="RetryAfter"/> later, or expires first.
    /// </summary>
    public bool Failed(string connectionId, DateTimeOffset now)
    {
        if (!_current.TryGetValue(connectionId, out var session))
            return false;
        if (now >= session.Expires)
        {
            _current.Remove(connectionId);
            return true;
        }
        session.Asking = false;
        var again = now + RetryAfter;
        Schedule(session, again < session.Expires ? again : session.Expires);
        return false;
    }

    /// <summary>The sessions due at <paramref name="now"/>: each to be asked (and then awaited) or expired (and no longer tracked).</summary>
    public List<(LocalConnection Local, SessionStep Step)>? Due(DateTimeOffset now)
    {
        List<(LocalConnection, SessionStep)>? due = null;
        while (_due.TryPeek(out var entry, out var at) && at <= now)
        {
            _due.Dequeue();
            var (session, stamp) = entry;
            if (session.Stamp != stamp || !_current.TryGetValue(session.Local.Id, out var current) || current != session)
                continue;
            // A session is asked at least once before it expires, even one that ran out between two sweeps.
            if (!refreshes || (now >= session.Expires && session.Asked))
            {
                _current.Remove(session.Local.Id);
                (due ??= []).Add((session.Local, SessionStep.Expire));
            }
            else
            {
                session.Asking = session.Asked = true;
                (due ??= []).Add((session.Local, SessionStep.Ask));
            }
        }
        return due;
    }

    private void Schedule(Session session, DateTimeOffset at)
    {
        session.Stamp++;
        session.NextAt = at;
        _due.Enqueue((session, session.Stamp), at);
        CompactWhenMostlyStale();
    }

    // A closed connection's entry stays queued until its time, up to a day: rebuilt from the live sessions once mostly stale.
    private void CompactWhenMostlyStale()
    {
        if (_due.Count <= 2 * _current.Count + 64)
            return;
        _due.Clear();
        foreach (var session in _current.Values.Where(s => !s.Asking))
            _due.Enqueue((session, session.Stamp), session.NextAt);
    }

    private sealed class Session(LocalConnection local)
    {
        public LocalConnection Local { get; } = local;
        public DateTimeOffset Expires { get; set; }

        /// <summary>When it is next due; with <see cref="Stamp"/>, which queue entry is its live one.</summary>
        public DateTimeOffset NextAt { get; set; }
        public int Stamp { get; set; }

        /// <summary>Its answer is awaited.</summary>
        public bool Asking { get; set; }

        /// <summary>Asked since its deadline last moved.</summary>
        public bool Asked { get; set; }
    }
}

using Switchboard.Actors.Namespaces;

namespace Switchboard.Actors.Routing.State;

/// <summary>
/// Decides which of a group's presence events go out (PROTOCOL.md "Presence"): a user's last leave waits
/// <see cref="PresenceOptions.LeaveDelay"/> and is dropped, with the join that ended the wait, when the user comes back
/// meanwhile; and the events of one second may cost the members at most <see cref="PresenceOptions.EventDeliveriesPerSecond"/>
/// deliveries, past which they are dropped and the members get one coalesced <c>presence_stats</c> a second instead.
/// Plain state: times are given in milliseconds.
/// </summary>
public sealed class PresenceGate(PresenceOptions options)
{
    private const long Window = 1000;

    private readonly Dictionary<string, DelayedLeave> _delayed = new(StringComparer.Ordinal);
    private long _windowStart = -Window; // times are TickCount64, 0 or more: the first event opens a second
    private long _spent;
    private bool _coalescing;

    /// <summary>Whether anything waits for <see cref="Tick"/>: a delayed leave, or coalesced events to report.</summary>
    public bool HasWork => _delayed.Count > 0 || _coalescing;

    /// <summary>Whether an event delivered to <paramref name="members"/> connections fits this second's budget; counts it if so.</summary>
    public bool MaySend(int members, long now)
    {
        if (now - _windowStart >= Window)
        {
            _windowStart = now;
            _spent = 0;
        }
        if (_spent + members > options.EventDeliveriesPerSecond)
        {
            _coalescing = true;
            return false;
        }
        _spent += members;
        return true;
    }

    /// <summary>
    /// A user's last connection left: true when its leave is held for <see cref="PresenceOptions.LeaveDelay"/> (and
    /// returned by <see cref="Tick"/> if the user does not come back), false when it goes out now.
    /// </summary>
    public bool Delay(Departure departure, string reason, long now)
    {
        if (options.LeaveDelay <= TimeSpan.Zero)
            return false;
        _delayed[departure.Member.UserId] = new DelayedLeave(departure, reason, now + (long)options.LeaveDelay.TotalMilliseconds);
        return true;
    }

    /// <summary>The user came back: true when a leave of theirs was waiting (it is dropped, and so is this join's event).</summary>
    public bool CameBack(string userId) => _delayed.Remove(userId);

    /// <summary>The leaves whose delay has passed, and whether the members are owed a coalesced <c>presence_stats</c>.</summary>
    public (List<DelayedLeave> Leaves, bool Coalesced) Tick(long now)
    {
        var due = new List<DelayedLeave>();
        foreach (var (userId, leave) in _delayed)
        {
            if (leave.DueAt <= now)
                due.Add(leave);
        }
        foreach (var leave in due)
            _delayed.Remove(leave.Departure.Member.UserId);
        var coalesced = _coalescing;
        _coalescing = false;
        return (due, coalesced);
    }
}

/// <summary>A user's last leave, held until <paramref name="DueAt"/>.</summary>
public sealed record DelayedLeave(Departure Departure, string Reason, long DueAt);

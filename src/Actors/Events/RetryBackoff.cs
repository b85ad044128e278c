namespace Switchboard.Actors.Events;

/// <summary>The waits between attempts at a failed batch: the first, then twice as long each time, up to the most.</summary>
public sealed class RetryBackoff(TimeSpan first, TimeSpan most)
{
    private TimeSpan? _last;

    /// <summary>The wait before the next attempt.</summary>
    public TimeSpan Next()
    {
        _last = _last is { } last ? TimeSpan.FromTicks(Math.Min(last.Ticks * 2, most.Ticks)) : first;
        return _last.Value;
    }

    /// <summary>A batch went through: the next failure waits the first wait again.</summary>
    public void Reset() => _last = null;
}

namespace Switchboard.Client;

/// <summary>
/// Exponential backoff with full jitter: attempt n waits a random time below min(max, initial × 2ⁿ), so that clients
/// dropped together do not come back together.
/// </summary>
internal sealed class Backoff(TimeSpan initial, TimeSpan max, Func<double>? random = null)
{
    private readonly Func<double> _random = random ?? Random.Shared.NextDouble;
    private int _attempt;

    /// <summary>The delay before the next attempt; each call counts one attempt.</summary>
    public TimeSpan Next()
    {
        var bound = Math.Min(max.TotalMilliseconds, initial.TotalMilliseconds * Math.Pow(2, Math.Min(_attempt, 30)));
        _attempt++;
        return TimeSpan.FromMilliseconds(Math.Floor(_random() * bound));
    }

    public void Reset() => _attempt = 0;
}

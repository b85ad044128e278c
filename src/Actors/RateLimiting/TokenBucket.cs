namespace Switchboard.Actors.RateLimiting;

/// <summary>The outcome of one request against its bucket.</summary>
/// <param name="Remaining">Whole tokens left after this request.</param>
/// <param name="ResetAfter">Until the bucket is full again.</param>
/// <param name="RetryAfter">Until the next token, when denied; zero when allowed.</param>
public sealed record RateDecision(bool Allowed, Rate Rate, long Remaining, TimeSpan ResetAfter, TimeSpan RetryAfter);

/// <summary>
/// A token bucket: <see cref="Rate.Limit"/> tokens at most, refilled continuously at
/// Limit per Period. A request takes one token or is denied.
/// </summary>
public sealed class TokenBucket(Rate rate, long now)
{
    private double _tokens = rate.Limit;
    private long _updated = now;

    public Rate Rate { get; private set; } = rate;

    /// <summary>Whether the bucket has refilled completely: then it is the same as no bucket at all.</summary>
    public bool IsFull(long now) => Refilled(now) >= Rate.Limit;

    /// <param name="now">Environment.TickCount64 (milliseconds).</param>
    public RateDecision Take(Rate rate, long now)
    {
        if (rate != Rate)
        {
            // The rate changed (hot reload): what the client has used still counts against the new limit.
            _tokens = Math.Clamp(rate.Limit - (Rate.Limit - Refilled(now)), 0, rate.Limit);
            Rate = rate;
            _updated = now;
        }
        _tokens = Refilled(now);
        _updated = now;
        var perMs = Rate.Limit / Rate.Period.TotalMilliseconds;
        var allowed = _tokens >= 1;
        if (allowed)
            _tokens -= 1;
        var resetAfter = TimeSpan.FromMilliseconds(Math.Ceiling((Rate.Limit - _tokens) / perMs));
        var retryAfter = allowed ? TimeSpan.Zero : TimeSpan.FromMilliseconds(Math.Ceiling((1 - _tokens) / perMs));
        return new RateDecision(allowed, Rate, (long)Math.Floor(_tokens), resetAfter, retryAfter);
    }

    private double Refilled(long now) =>
        Math.Min(Rate.Limit, _tokens + (now - _updated) * (Rate.Limit / Rate.Period.TotalMilliseconds));
}

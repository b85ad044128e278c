namespace Switchboard.Service.Admin;

/// <summary>Quantiles estimated from counts in latency buckets, as Prometheus' <c>histogram_quantile</c> estimates them.</summary>
public static class LatencyBuckets
{
    /// <summary>
    /// The <paramref name="q"/> quantile of the values counted in <paramref name="counts"/>: one bucket per upper bound of
    /// <paramref name="bounds"/> (the first from 0), then one for the rest. Within a bucket the values are taken as spread
    /// evenly; a quantile in the last bucket, which has no upper bound, is the last bound. Null when nothing was counted.
    /// </summary>
    public static double? Quantile(IReadOnlyList<double> bounds, IReadOnlyList<long> counts, double q)
    {
        var total = counts.Sum();
        if (total == 0)
            return null;
        var rank = q * total;
        var below = 0L;
        for (var i = 0; i < counts.Count; i++)
        {
            if (below + counts[i] >= rank && counts[i] > 0)
            {
                if (i >= bounds.Count)
                    return bounds[^1];
                var lower = i == 0 ? 0 : bounds[i - 1];
                return lower + (bounds[i] - lower) * (rank - below) / counts[i];
            }
            below += counts[i];
        }
        return bounds[^1];
    }
}

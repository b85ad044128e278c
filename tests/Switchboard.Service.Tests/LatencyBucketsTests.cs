using Switchboard.Service.Admin;

namespace Switchboard.Service.Tests;

/// <summary>Quantiles from latency buckets, as <c>sbctl hooks</c> and the dashboard show a hook's p50 and p99.</summary>
public sealed class LatencyBucketsTests
{
    private static readonly double[] Bounds = [1, 2, 5, 10];

    [Fact]
    public void Nothing_counted_has_no_quantile() => Assert.Null(LatencyBuckets.Quantile(Bounds, [0, 0, 0, 0, 0], 0.5));

    [Fact]
    public void A_quantile_is_interpolated_within_its_bucket()
    {
        // 10 values up to 1 ms, 10 between 2 and 5 ms: the median is the top of the first bucket, p75 halfway up the third.
        long[] counts = [10, 0, 10, 0, 0];
        Assert.Equal(1, LatencyBuckets.Quantile(Bounds, counts, 0.5));
        Assert.Equal(3.5, LatencyBuckets.Quantile(Bounds, counts, 0.75));
        Assert.Equal(0.5, LatencyBuckets.Quantile(Bounds, counts, 0.25));
    }

    [Fact]
    public void A_quantile_past_the_last_bound_is_that_bound()
    {
        Assert.Equal(10, LatencyBuckets.Quantile(Bounds, [1, 0, 0, 0, 99], 0.99));
        Assert.Equal(10, LatencyBuckets.Quantile(Bounds, [0, 0, 0, 0, 1], 0.5));
    }
}

using Switchboard.Actors.RateLimiting;

namespace Switchboard.Actors.Tests;

public sealed class RateSpecs
{
    [Theory]
    [InlineData("10-S", 10, 1)]
    [InlineData("356-M", 356, 60)]
    [InlineData("3-H", 3, 3600)]
    [InlineData("2000-D", 2000, 86400)]
    [InlineData("10-s", 10, 1)]
    public void Rates_parse(string text, long limit, int seconds) =>
        Assert.Equal(new Rate(limit, TimeSpan.FromSeconds(seconds)), Rate.Parse(text));

    [Theory]
    [InlineData("10 S")]
    [InlineData("10:S")]
    [InlineData("AZERTY")]
    [InlineData("H-10")]
    [InlineData("-1-S")]
    [InlineData("0-M")]
    [InlineData("10-W")]
    [InlineData("")]
    public void Malformed_rates_are_refused(string text) => Assert.Throws<FormatException>(() => Rate.Parse(text));

    [Fact]
    public void A_bucket_admits_its_limit_then_refills_over_the_period()
    {
        var rate = Rate.Parse("3-S");
        var bucket = new TokenBucket(rate, now: 0);
        Assert.Equal([2L, 1, 0], Enumerable.Range(0, 3).Select(_ => bucket.Take(rate, 0)).Select(d => d.Remaining));
        var denied = bucket.Take(rate, 0);
        Assert.False(denied.Allowed);
        Assert.Equal(TimeSpan.FromMilliseconds(334), denied.RetryAfter); // a token every 333.3 ms
        Assert.True(bucket.Take(rate, 334).Allowed);
        Assert.True(bucket.IsFull(2000));
    }

    [Fact]
    public void A_new_rate_keeps_what_the_client_used()
    {
        var bucket = new TokenBucket(Rate.Parse("2-M"), now: 0);
        bucket.Take(Rate.Parse("2-M"), 0);
        Assert.Equal(8, bucket.Take(Rate.Parse("10-M"), 0).Remaining); // one used before, this one now
        Assert.Equal(0, bucket.Take(Rate.Parse("1-M"), 0).Remaining);
    }
}

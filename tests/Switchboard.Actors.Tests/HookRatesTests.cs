using Switchboard.Actors.Hooks;

namespace Switchboard.Actors.Tests;

/// <summary>A hook's calls per second over the window of samples the admin agent takes every second.</summary>
public sealed class HookRatesTests
{
    private static long[] Totals(long rpc) => HookKinds.All.Select(k => k == HookKind.Rpc ? rpc : 0L).ToArray();

    [Fact]
    public void Without_a_sample_older_than_now_the_rate_is_zero()
    {
        var rates = new HookRates();
        Assert.Equal(0, rates.PerSecond(HookKind.Rpc, 1_000, 50));
        rates.Sample(1_000, Totals(0));
        Assert.Equal(0, rates.PerSecond(HookKind.Rpc, 1_000, 50));
    }

    [Fact]
    public void The_rate_is_the_calls_since_the_oldest_sample_in_the_window_over_the_time_since()
    {
        var rates = new HookRates();
        rates.Sample(0, Totals(0));
        rates.Sample(1_000, Totals(10));
        Assert.Equal(15, rates.PerSecond(HookKind.Rpc, 2_000, 30));
        Assert.Equal(0, rates.PerSecond(HookKind.Join, 2_000, 0));

        // Samples older than the window are forgotten: from 12 s on, the oldest is the one of 2 s.
        for (var at = 2_000; at <= 12_000; at += 1_000)
            rates.Sample(at, Totals(100 + at / 100));
        Assert.Equal((220 - 120) / 10.0, rates.PerSecond(HookKind.Rpc, 12_000, 220));
    }
}

namespace Switchboard.Client.Tests;

/// <summary>The backoff and the close codes' rules, as clients/js's package tests check its own.</summary>
public sealed class PolicyTests
{
    [Fact]
    public void Backoff_bounds_double_from_the_initial_delay_up_to_the_maximum_with_full_jitter_below_them()
    {
        var highest = new Backoff(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(30), () => 0.999999);
        Assert.Equal([499, 999, 1999, 3999, 7999, 15999, 29999, 29999],
            Enumerable.Range(0, 8).Select(_ => highest.Next().TotalMilliseconds).ToArray());
        var lowest = new Backoff(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(30), () => 0);
        Assert.All(Enumerable.Range(0, 5), _ => Assert.Equal(TimeSpan.Zero, lowest.Next()));
        highest.Reset();
        Assert.Equal(499, highest.Next().TotalMilliseconds);
    }

    [Theory]
    [InlineData(1001, "going away", false, "Soon")]
    [InlineData(1008, "kicked", false, "Stop")]
    [InlineData(1008, "kicked: spam", true, "Stop")]
    [InlineData(1008, "kickedx", false, "Backoff")]
    [InlineData(1008, "rate limit", false, "RateLimited")]
    [InlineData(1009, "", false, "TooLarge")]
    [InlineData(4401, "token expired", true, "NewToken")]
    [InlineData(4401, "token expired", false, "Stop")]
    [InlineData(1006, "", false, "Backoff")]
    [InlineData(1011, "", false, "Backoff")]
    [InlineData(4408, "", false, "Backoff")]
    public void Close_codes_decide_stop_for_a_kick_or_an_expired_token_without_a_source_else_come_back(int code, string reason, bool hasTokenSource, string expected)
    {
        var next = AfterClose.For(code, reason, hasTokenSource);
        Assert.Equal(expected, next.Kind.ToString());
        if (next.Kind == AfterCloseKind.Stop)
        {
            Assert.Equal(code == 4401 ? "token_expired" : "kicked", next.Error!.Code);
            Assert.Equal(code, next.Error.CloseCode);
        }
    }
}

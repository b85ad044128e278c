using Akka.Actor;
using Akka.Hosting;
using Switchboard.Actors.RateLimiting;

namespace Switchboard.Actors.Tests;

public sealed class TokenBucketActorSpecs : Akka.Hosting.TestKit.TestKit
{
    private static readonly Rate OnePerMinute = Rate.Parse("1-M");

    protected override void ConfigureAkka(AkkaConfigurationBuilder builder, IServiceProvider provider)
    {
    }

    private static bool Take(IActorRef buckets, string key)
    {
        var reply = new TaskCompletionSource<RateDecision>();
        buckets.Tell(new TakeToken(key, OnePerMinute, reply));
        return reply.Task.WaitAsync(TimeSpan.FromSeconds(3)).GetAwaiter().GetResult().Allowed;
    }

    [Fact]
    public void Each_key_has_its_own_bucket()
    {
        var buckets = Sys.ActorOf(TokenBucketActor.PropsFor(maxKeys: 10, TimeSpan.FromMinutes(1)));
        Assert.True(Take(buckets, "a"));
        Assert.False(Take(buckets, "a"));
        Assert.True(Take(buckets, "b"));
    }

    [Fact]
    public async Task A_decision_completes_the_callers_promise_and_nothing_goes_to_a_sender()
    {
        var buckets = Sys.ActorOf(TokenBucketActor.PropsFor(maxKeys: 10, TimeSpan.FromMinutes(1)));
        var store = new MemoryRateLimitStore([buckets]);
        Assert.True((await store.TakeAsync("a", OnePerMinute)).Allowed);
        var denied = await store.TakeAsync("a", OnePerMinute);
        Assert.False(denied.Allowed);
        Assert.Equal(0, denied.Remaining);
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void At_the_key_bound_the_least_recently_used_key_is_evicted()
    {
        var buckets = Sys.ActorOf(TokenBucketActor.PropsFor(maxKeys: 2, TimeSpan.FromMinutes(1)));
        Assert.True(Take(buckets, "first"));
        Assert.True(Take(buckets, "second"));
        Assert.False(Take(buckets, "first")); // "second" is now the least recently used
        Assert.True(Take(buckets, "third")); // evicts "second"
        Assert.True(Take(buckets, "second")); // a fresh bucket; evicts "first"
        Assert.False(Take(buckets, "third"));
        Assert.True(Take(buckets, "first"));
    }
}

namespace Switchboard.Actors.RateLimiting;

/// <summary>Where token buckets live: in this node's actors (memory) or shared by every node (Redis).</summary>
public interface IRateLimitStore
{
    Task<RateDecision> TakeAsync(string key, Rate rate);
}

/// <summary>Token buckets in this node's memory, spread over several actors so no single one serialises all decisions.</summary>
public sealed class MemoryRateLimitStore(IReadOnlyList<Akka.Actor.IActorRef> partitions) : IRateLimitStore
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(5);

    public Task<RateDecision> TakeAsync(string key, Rate rate) =>
        Akka.Actor.Futures.Ask<RateDecision>(partitions[(int)((uint)key.GetHashCode() % (uint)partitions.Count)],
            new TakeToken(key, rate), AskTimeout);
}

using Akka.Actor;

namespace Switchboard.Actors.RateLimiting;

/// <summary>Where token buckets live: in this node's actors (memory) or shared by every node (Redis).</summary>
public interface IRateLimitStore
{
    Task<RateDecision> TakeAsync(string key, Rate rate);
}

/// <summary>Token buckets in this node's memory, spread over several actors so no single one serialises all decisions.</summary>
public sealed class MemoryRateLimitStore(IReadOnlyList<IActorRef> partitions) : IRateLimitStore
{
    /// <summary>Starts two token-bucket actors per core, which share <paramref name="maxKeys"/> between them.</summary>
    public static MemoryRateLimitStore Start(ActorSystem system, int maxKeys)
    {
        var count = Environment.ProcessorCount * 2;
        return new MemoryRateLimitStore(Enumerable.Range(0, count)
            .Select(i => system.ActorOf(TokenBucketActor.PropsFor(Math.Max(1, maxKeys / count), TimeSpan.FromSeconds(30)),
                $"rate-limit-{i}"))
            .ToList());
    }

    public Task<RateDecision> TakeAsync(string key, Rate rate)
    {
        // Continuations leave the actor's thread: the rest of the request must not run inside its receive.
        var reply = new TaskCompletionSource<RateDecision>(TaskCreationOptions.RunContinuationsAsynchronously);
        partitions[(int)((uint)key.GetHashCode() % (uint)partitions.Count)].Tell(new TakeToken(key, rate, reply), ActorRefs.NoSender);
        return reply.Task;
    }
}

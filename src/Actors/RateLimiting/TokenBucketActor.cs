using Akka.Actor;

namespace Switchboard.Actors.RateLimiting;

/// <summary>
/// Asks the bucket of <paramref name="Key"/> for one token under <paramref name="Rate"/>; the <see cref="RateDecision"/>
/// completes <paramref name="Reply"/>. A promise rather than Ask: the caller is always local, and Ask costs a
/// temporary actor and a timeout timer on every request.
/// </summary>
public sealed record TakeToken(string Key, Rate Rate, TaskCompletionSource<RateDecision> Reply);

/// <summary>
/// Owns the token buckets of one partition of the keys. The number of keys is bounded: full
/// buckets (idle keys) are swept away, and at the bound the least recently used key is
/// evicted, so a flood of distinct keys cannot exhaust memory.
/// </summary>
public sealed class TokenBucketActor : ReceiveActor, IWithTimers
{
    private readonly Dictionary<string, LinkedListNode<(string Key, TokenBucket Bucket)>> _buckets = new();
    private readonly LinkedList<(string Key, TokenBucket Bucket)> _leastRecentlyUsedFirst = new();
    private readonly int _maxKeys;
    private readonly TimeSpan _sweepInterval;

    public TokenBucketActor(int maxKeys, TimeSpan sweepInterval)
    {
        _maxKeys = maxKeys;
        _sweepInterval = sweepInterval;
        Receive<TakeToken>(take =>
        {
            var now = Environment.TickCount64;
            if (_buckets.TryGetValue(take.Key, out var node))
            {
                _leastRecentlyUsedFirst.Remove(node);
                _leastRecentlyUsedFirst.AddLast(node);
            }
            else
            {
                if (_buckets.Count >= _maxKeys)
                    MakeRoom(now);
                _buckets[take.Key] = node = _leastRecentlyUsedFirst.AddLast((take.Key, new TokenBucket(take.Rate, now)));
            }
            take.Reply.TrySetResult(node.Value.Bucket.Take(take.Rate, now));
        });
        Receive<Sweep>(_ => SweepFull(Environment.TickCount64));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart() => Timers.StartPeriodicTimer("sweep", Sweep.Instance, _sweepInterval);

    private void MakeRoom(long now)
    {
        SweepFull(now);
        if (_buckets.Count >= _maxKeys)
            Remove(_leastRecentlyUsedFirst.First!);
    }

    private void SweepFull(long now)
    {
        for (var node = _leastRecentlyUsedFirst.First; node is not null;)
        {
            var next = node.Next;
            if (node.Value.Bucket.IsFull(now))
                Remove(node);
            node = next;
        }
    }

    private void Remove(LinkedListNode<(string Key, TokenBucket Bucket)> node)
    {
        _leastRecentlyUsedFirst.Remove(node);
        _buckets.Remove(node.Value.Key);
    }

    private sealed class Sweep
    {
        public static readonly Sweep Instance = new();
    }

    public static Props PropsFor(int maxKeys, TimeSpan sweepInterval) => Props.Create(() => new TokenBucketActor(maxKeys, sweepInterval));
}

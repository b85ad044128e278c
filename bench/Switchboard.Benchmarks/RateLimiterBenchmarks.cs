using Akka.Actor;
using BenchmarkDotNet.Attributes;
using Switchboard.Actors.RateLimiting;

namespace Switchboard.Benchmarks;

/// <summary>
/// Decisions per second of the rate limiter's stores: the token bucket alone, the memory store (token-bucket
/// actors, as the service runs them), and the Redis store when BENCH_REDIS names a server (host:port).
/// Each operation is one decision; the key rotates over <see cref="Keys"/> clients.
/// </summary>
[MemoryDiagnoser]
public class RateLimiterBenchmarks
{
    private static readonly Rate Generous = Rate.Parse("1000000000-S");
    private ActorSystem _system = null!;
    private MemoryRateLimitStore _memory = null!;
    private IRateLimitStore? _redis;
    private string[] _keys = null!;
    private TokenBucket _bucket = null!;
    private int _next;

    [Params(1, 10_000)]
    public int Keys { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _system = ActorSystem.Create("bench");
        _memory = MemoryRateLimitStore.Start(_system, maxKeys: 1_000_000);
        _keys = Enumerable.Range(0, Keys).Select(i => $"10.0.{i / 256}.{i % 256}").ToArray();
        _bucket = new TokenBucket(Generous, Environment.TickCount64);
        _redis = RedisStore.Connect();
    }

    [GlobalCleanup]
    public void Cleanup() => _system.Terminate().Wait();

    private string NextKey() => _keys[_next++ % _keys.Length];

    [Benchmark(Baseline = true)]
    public bool TokenBucket() => _bucket.Take(Generous, Environment.TickCount64).Allowed;

    [Benchmark]
    public async Task<bool> MemoryStore() => (await _memory.TakeAsync(NextKey(), Generous)).Allowed;

    /// <summary>128 decisions in flight at once, as concurrent requests make them.</summary>
    [Benchmark(OperationsPerInvoke = 128)]
    public async Task MemoryStoreConcurrent()
    {
        var decisions = new Task<RateDecision>[128];
        for (var i = 0; i < decisions.Length; i++)
            decisions[i] = _memory.TakeAsync(NextKey(), Generous);
        await Task.WhenAll(decisions);
    }

    [Benchmark(OperationsPerInvoke = 128)]
    public async Task RedisStoreConcurrent()
    {
        if (_redis is null)
            return;
        var decisions = new Task<RateDecision>[128];
        for (var i = 0; i < decisions.Length; i++)
            decisions[i] = _redis.TakeAsync(NextKey(), Generous);
        await Task.WhenAll(decisions);
    }
}

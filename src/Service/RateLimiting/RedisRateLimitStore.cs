using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using Switchboard.Actors.RateLimiting;

namespace Switchboard.Service.RateLimiting;

/// <summary>
/// Token buckets in Redis, shared by every node: one script call per decision, so the read,
/// the refill and the take happen atomically, on Redis's clock rather than the nodes'.
/// </summary>
public sealed class RedisRateLimitStore : IRateLimitStore, IDisposable
{
    // The bucket is a hash {tokens, updated (ms, Redis time), limit, period (ms)} that expires once
    // it would be full again: a full bucket is the same as none. A changed rate keeps what was used.
    private const string TakeScript = """
        if redis.replicate_commands then redis.replicate_commands() end
        local limit, period = tonumber(ARGV[1]), tonumber(ARGV[2])
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
        local tokens = limit
        local state = redis.call('HMGET', KEYS[1], 'tokens', 'updated', 'limit', 'period')
        if state[1] then
          local old_limit, old_period = tonumber(state[3]), tonumber(state[4])
          local elapsed = math.max(0, now - tonumber(state[2]))
          local refilled = math.min(old_limit, tonumber(state[1]) + elapsed * old_limit / old_period)
          tokens = math.max(0, math.min(limit, limit - (old_limit - refilled)))
        end
        local allowed, retry = 0, 0
        if tokens >= 1 then
          tokens = tokens - 1
          allowed = 1
        else
          retry = math.ceil((1 - tokens) * period / limit)
        end
        local reset = math.max(1, math.ceil((limit - tokens) * period / limit))
        redis.call('HSET', KEYS[1], 'tokens', tokens, 'updated', now, 'limit', limit, 'period', period)
        redis.call('PEXPIRE', KEYS[1], reset)
        return {allowed, math.floor(tokens), reset, retry}
        """;

    private readonly ConnectionMultiplexer _redis;
    private readonly RedisConfigSync _configSync;
    private readonly string _prefix;
    private readonly RateLimiter _limiter;
    private readonly ILogger _logger;
    private int _failing;

    private RedisRateLimitStore(ConnectionMultiplexer redis, RateLimiter limiter, ILoggerFactory loggers)
    {
        _redis = redis;
        _prefix = limiter.Policy.Options.Prefix;
        _limiter = limiter;
        _logger = loggers.CreateLogger<RedisRateLimitStore>();
        _configSync = new RedisConfigSync(redis, _prefix, limiter, loggers.CreateLogger<RedisConfigSync>());
    }

    /// <summary>Connects to RateLimiter:Redis without waiting for it: until Redis answers, decisions fail and the limiter fails open or closed.</summary>
    public static RedisRateLimitStore Connect(RateLimiter limiter, ILoggerFactory loggers) =>
        new(Hosting.RedisConnections.Connect(limiter.Policy.Options.Redis!), limiter, loggers);

    /// <exception cref="RateLimitStoreUnavailableException">Redis did not answer or refused the script.</exception>
    public async Task<RateDecision> TakeAsync(string key, Rate rate)
    {
        RedisResult result;
        try
        {
            result = await _redis.GetDatabase().ScriptEvaluateAsync(TakeScript, [_prefix + key],
                [rate.Limit, (long)rate.Period.TotalMilliseconds]);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            if (Interlocked.Exchange(ref _failing, 1) == 0)
                _logger.LogError("Rate limit store Redis failed ({Problem}); requests are {Outcome} until it answers again",
                    e.Message, _limiter.Policy.Options.FailOpen ? "allowed (fail open)" : "refused (fail closed)");
            throw new RateLimitStoreUnavailableException(e);
        }
        if (Interlocked.Exchange(ref _failing, 0) == 1)
            _logger.LogInformation("Rate limit store Redis answers again");
        var values = (long[])result!;
        return new RateDecision(values[0] == 1, rate, values[1], TimeSpan.FromMilliseconds(values[2]), TimeSpan.FromMilliseconds(values[3]));
    }

    public void Dispose()
    {
        _configSync.Dispose();
        _redis.Dispose();
    }
}

/// <summary>The store could not decide; the limiter then fails open or closed as configured.</summary>
public sealed class RateLimitStoreUnavailableException(Exception inner)
    : Exception("The rate limit store is unavailable: " + inner.Message, inner);

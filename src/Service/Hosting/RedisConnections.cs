using StackExchange.Redis;

namespace Switchboard.Service.Hosting;

/// <summary>How the service connects to Redis (the rate limiter's store, the history store).</summary>
public static class RedisConnections
{
    /// <summary>
    /// Connects without waiting for Redis: until it answers, commands fail. Commands fail at once while disconnected
    /// instead of queueing, and short timeouts keep a caller from hanging on a Redis that stopped answering; settings
    /// in <paramref name="configuration"/> win over these defaults.
    /// </summary>
    public static ConnectionMultiplexer Connect(string configuration)
    {
        var options = ConfigurationOptions.Parse($"abortConnect=false,connectTimeout=2000,syncTimeout=1000,asyncTimeout=1000,{configuration}");
        options.BacklogPolicy = BacklogPolicy.FailFast;
        options.ReconnectRetryPolicy = new ExponentialRetry(500, 5000);
        return ConnectionMultiplexer.Connect(options);
    }
}

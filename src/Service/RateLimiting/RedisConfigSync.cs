using System.Text.Json;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Switchboard.Service.RateLimiting;

/// <summary>
/// Carries <see cref="RateLimiter.UpdateConfig"/> to every node sharing the Redis store: the
/// node that is updated publishes the settings on the <c>{Prefix}config</c> channel, and every
/// other node subscribed to it applies them.
/// </summary>
public sealed class RedisConfigSync : IDisposable
{
    private readonly ISubscriber _subscriber;
    private readonly RedisChannel _channel;
    private readonly RateLimiter _limiter;
    private readonly ILogger _logger;
    private readonly string _origin = Guid.NewGuid().ToString("N");

    public RedisConfigSync(ConnectionMultiplexer redis, string prefix, RateLimiter limiter, ILogger<RedisConfigSync> logger)
    {
        _subscriber = redis.GetSubscriber();
        _channel = RedisChannel.Literal(prefix + "config");
        _limiter = limiter;
        _logger = logger;
        // The multiplexer keeps the subscription and renews it on every (re)connection, so a
        // node that starts while Redis is down still hears the updates once it is up.
        _subscriber.SubscribeAsync(_channel, (_, message) => Apply(message)).ContinueWith(
            t => _logger.LogWarning("Rate limiter settings channel not subscribed yet, retried when Redis answers: {Problem}",
                t.Exception!.GetBaseException().Message),
            TaskContinuationOptions.OnlyOnFaulted);
        _limiter.Updated += Publish;
    }

    public void Dispose()
    {
        _limiter.Updated -= Publish;
        // Not waited for: a slow or stopped Redis must not hold up (or fail) the node's shutdown, and closing
        // the connection right after ends the subscription anyway.
        _subscriber.Unsubscribe(_channel, flags: CommandFlags.FireAndForget);
    }

    private void Publish(RateLimiterOptions options)
    {
        var payload = JsonSerializer.Serialize(new ConfigUpdate(_origin, options));
        _subscriber.PublishAsync(_channel, payload).ContinueWith(
            t => _logger.LogError("Rate limiter settings not sent to the other nodes: {Problem}", t.Exception!.GetBaseException().Message),
            TaskContinuationOptions.OnlyOnFaulted);
    }

    private void Apply(RedisValue message)
    {
        try
        {
            var update = JsonSerializer.Deserialize<ConfigUpdate>(message.ToString());
            if (update is null || update.Origin == _origin)
                return;
            _limiter.Replace(update.Options);
            _logger.LogInformation("Rate limiter settings updated by another node: {Rate}", _limiter.Policy.Rate?.ToString() ?? "off");
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            _logger.LogError("Rate limiter settings from another node refused, the current ones stay: {Problem}", e.Message);
        }
    }

    private sealed record ConfigUpdate(string Origin, RateLimiterOptions Options);
}

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace Switchboard.Service.RateLimiting;

/// <summary>Told of every decision, e.g. to export metrics or log abuse.</summary>
public interface IRateLimitObserver
{
    void OnAllow(string route, string key);

    void OnDeny(string route, string key);
}

/// <summary>
/// The limiter's current policy. <see cref="UpdateConfig"/> and a change of the configuration
/// (an edited appsettings file) replace it for the next request; an invalid update is refused
/// and the policy in force stays.
/// </summary>
public sealed class RateLimiter : IDisposable
{
    private readonly Func<RateLimiterOptions, RateLimiterOptions>? _overlay;
    private readonly ILogger<RateLimiter> _logger;
    private readonly IDisposable _reload;
    private volatile RateLimitPolicy _policy;

    public RateLimiter(IConfiguration configuration, Func<RateLimiterOptions, RateLimiterOptions>? overlay, ILogger<RateLimiter> logger)
    {
        _overlay = overlay;
        _logger = logger;
        _policy = RateLimitPolicy.From(Read(configuration));
        _reload = ChangeToken.OnChange(configuration.GetReloadToken, () => Reload(configuration));
    }

    public RateLimitPolicy Policy => _policy;

    /// <summary>Raised by <see cref="UpdateConfig"/>, so a shared store can carry the update to the other nodes.</summary>
    public event Action<RateLimiterOptions>? Updated;

    /// <summary>
    /// Replaces the settings (code overlay not applied); the next request uses them, on every
    /// node when the store is shared. The store settings themselves are read once, at start-up.
    /// </summary>
    /// <exception cref="FormatException">The settings are invalid; nothing changes.</exception>
    public void UpdateConfig(RateLimiterOptions options)
    {
        Replace(options);
        Updated?.Invoke(options);
    }

    /// <summary>Replaces the settings on this node only.</summary>
    /// <exception cref="FormatException">The settings are invalid; nothing changes.</exception>
    public void Replace(RateLimiterOptions options) => _policy = RateLimitPolicy.From(options);

    public void Dispose() => _reload.Dispose();

    private void Reload(IConfiguration configuration)
    {
        try
        {
            _policy = RateLimitPolicy.From(Read(configuration));
            _logger.LogInformation("Rate limiter settings reloaded: {Rate}", _policy.Rate?.ToString() ?? "off");
        }
        catch (FormatException e)
        {
            _logger.LogError("Rate limiter settings not reloaded, the previous ones stay: {Problem}", e.Message);
        }
    }

    private RateLimiterOptions Read(IConfiguration configuration)
    {
        var options = configuration.GetSection(RateLimiterOptions.SectionName).Get<RateLimiterOptions>() ?? new RateLimiterOptions();
        return _overlay?.Invoke(options) ?? options;
    }
}

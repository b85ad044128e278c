using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;

namespace Switchboard.Service.Auth;

/// <summary>
/// The signing keys published at <c>Auth:Jwt:JwksUrl</c>: fetched on first use, kept, and fetched again when a
/// token names a <c>kid</c> they do not hold (a rotated key). One fetch at a time: every caller that needs a key not
/// held awaits the same one, each no longer than its own cancellation allows, and callers whose key is held never
/// wait. A fetch starts at most once every <see cref="RefetchInterval"/>, so that tokens with made-up key ids cannot
/// make the node hammer the key server, and gives up after <see cref="FetchTimeout"/>, so that a key server that
/// hangs cannot hold the one fetch for ever.
/// </summary>
public sealed class JwksKeys(Uri url, HttpClient http, ILogger logger, TimeProvider clock)
{
    public static readonly TimeSpan RefetchInterval = TimeSpan.FromSeconds(5);

    /// <summary>How long one fetch may take, the document's body included.</summary>
    public static readonly TimeSpan FetchTimeout = TimeSpan.FromSeconds(10);

    private readonly Lock _gate = new();
    private volatile IReadOnlyList<SecurityKey> _keys = [];
    private volatile bool _lastFetchFailed;
    private Task<bool>? _fetch; // in flight, or the last one; under _gate
    private long _fetchStarted; // a timestamp of the clock; under _gate

    /// <summary>
    /// The keys to check a token naming <paramref name="kid"/> with: those held, at once, when they include it or no
    /// fetch is due; else those of the fetch in flight or of a new one. Null when they could not be had: that fetch
    /// failed (or the last one did and no other is due), or <paramref name="cancellation"/> fired first.
    /// </summary>
    public async ValueTask<IReadOnlyList<SecurityKey>?> KeysForAsync(string? kid, CancellationToken cancellation)
    {
        var keys = _keys;
        if (keys.Count > 0 && (kid is null || keys.Any(k => k.KeyId == kid)))
            return keys;
        if (FetchInFlightOrDue() is not { } fetch)
            return _lastFetchFailed ? null : keys;
        try
        {
            return await fetch.WaitAsync(cancellation) ? _keys : null;
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            return null; // the fetch goes on for the callers still waiting, and for the next ones
        }
    }

    private Task<bool>? FetchInFlightOrDue()
    {
        lock (_gate)
        {
            if (_fetch is { IsCompleted: false })
                return _fetch;
            if (_fetch is not null && clock.GetElapsedTime(_fetchStarted) < RefetchInterval)
                return null;
            _fetchStarted = clock.GetTimestamp();
            // On the pool: no step of the request runs under the lock.
            return _fetch = Task.Run(FetchAsync);
        }
    }

    private async Task<bool> FetchAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(FetchTimeout, clock);
            var json = await http.GetStringAsync(url, timeout.Token);
            var keys = new JsonWebKeySet(json).GetSigningKeys();
            _keys = keys.ToList();
            _lastFetchFailed = false;
            logger.LogInformation("Fetched {Count} signing keys from {JwksUrl}", keys.Count, url);
            return true;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Every waiting caller shares this task: a failure is their answer (keys unavailable), not an exception
            // thrown into each. The keys held stay in use for tokens that name one of them.
            _lastFetchFailed = true;
            logger.LogWarning("Could not fetch the signing keys from {JwksUrl}: {Problem}", url,
                e is OperationCanceledException ? $"no answer within {FetchTimeout.TotalSeconds} s" : e.Message);
            return false;
        }
    }
}

using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;

namespace Switchboard.Service.Auth;

/// <summary>
/// The signing keys published at <c>Auth:Jwt:JwksUrl</c>: fetched on first use, kept, and fetched again when a
/// token names a <c>kid</c> they do not hold (a rotated key), at most once every <see cref="RefetchInterval"/>, so
/// that tokens with made-up key ids cannot make the node hammer the key server.
/// </summary>
public sealed class JwksKeys(Uri url, HttpClient http, ILogger logger, TimeProvider clock)
{
    public static readonly TimeSpan RefetchInterval = TimeSpan.FromSeconds(5);

    private readonly SemaphoreSlim _fetching = new(1, 1);
    private volatile IReadOnlyList<SecurityKey> _keys = [];
    private long _fetchedAt; // a timestamp of the clock; 0 before the first fetch

    /// <summary>The keys, fetched first if none are held yet or <paramref name="kid"/> is not among them (and a fetch is due).</summary>
    public async ValueTask<IReadOnlyList<SecurityKey>> KeysForAsync(string? kid, CancellationToken cancellation)
    {
        var keys = _keys;
        if (keys.Count > 0 && (kid is null || keys.Any(k => k.KeyId == kid)))
            return keys;
        if (!FetchDue())
            return keys;
        await _fetching.WaitAsync(cancellation);
        try
        {
            // Another caller may have fetched while this one waited.
            if (FetchDue())
                await FetchAsync(cancellation);
            return _keys;
        }
        finally
        {
            _fetching.Release();
        }
    }

    private bool FetchDue()
    {
        var fetchedAt = Interlocked.Read(ref _fetchedAt);
        return fetchedAt == 0 || clock.GetElapsedTime(fetchedAt) >= RefetchInterval;
    }

    private async Task FetchAsync(CancellationToken cancellation)
    {
        Interlocked.Exchange(ref _fetchedAt, clock.GetTimestamp());
        try
        {
            var json = await http.GetStringAsync(url, cancellation);
            var keys = new JsonWebKeySet(json).GetSigningKeys();
            _keys = keys.ToList();
            logger.LogInformation("Fetched {Count} signing keys from {JwksUrl}", keys.Count, url);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or ArgumentException or System.Text.Json.JsonException)
        {
            // The keys held stay in use; tokens signed with a key not among them are refused meanwhile.
            logger.LogWarning("Could not fetch the signing keys from {JwksUrl}: {Problem}", url, e.Message);
        }
    }
}

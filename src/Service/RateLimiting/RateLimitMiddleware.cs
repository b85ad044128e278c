using System.Globalization;
using Microsoft.AspNetCore.Http;
using Switchboard.Actors.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Service.Auth;
using Switchboard.Service.Http;

namespace Switchboard.Service.RateLimiting;

/// <summary>
/// Limits requests per client with token buckets. Limited responses carry X-RateLimit-Limit,
/// -Remaining and -Reset (Unix seconds when the bucket is full again), and the RateLimit and
/// RateLimit-Policy fields of draft-ietf-httpapi-ratelimit-headers-10; a denial adds Retry-After.
/// </summary>
public sealed class RateLimitMiddleware(RequestDelegate next, RateLimiter limiter, IRateLimitStore store, RateLimitCounters counters,
    IEnumerable<IRateLimitObserver> observers, IServiceProvider services)
{
    // With tokens on, Identifier=user counts a request with a valid token against the token's sub.
    private readonly TokenValidator? _tokens = services.GetService<TokenValidator>();

    private static readonly ApiError StoreUnavailable =
        new("rate_limiter_unavailable", "The rate limit store cannot be reached; try again shortly");

    private readonly IRateLimitObserver[] _observers = observers.ToArray();

    public async Task InvokeAsync(HttpContext context)
    {
        var policy = limiter.Policy;
        if (!policy.Enabled) // off, as without settings: no path to normalise
        {
            await next(context);
            return;
        }
        var route = RoutePath.Normalize(context.Request.Path.Value);
        var options = policy.Options;
        if (policy.RateFor(route, GlobalRateApplies(context), out var ownBuckets) is not { } rate || Whitelisted(context, policy))
        {
            await next(context);
            return;
        }
        var subject = _tokens is not null && options.Identifier.Equals("user", StringComparison.OrdinalIgnoreCase)
            ? await VerifiedSubjectAsync(context.Request, _tokens)
            : null;
        var client = ClientKey.For(context, policy, route, subject);
        var key = ownBuckets ? $"{route}|{client}" : client;
        RateDecision decision;
        try
        {
            decision = await store.TakeAsync(key, rate);
        }
        catch (RateLimitStoreUnavailableException)
        {
            counters.RecordStoreFailure();
            if (options.FailOpen)
                await next(context);
            else
                await StoreUnavailable.WriteAsync(context, StatusCodes.Status503ServiceUnavailable);
            return;
        }
        if (options.AddHeaders)
            AddHeaders(context.Response, decision);
        if (decision.Allowed)
        {
            counters.RecordAllowed();
            foreach (var observer in _observers)
                observer.OnAllow(route, key);
            await next(context);
            return;
        }
        counters.RecordDenied();
        foreach (var observer in _observers)
            observer.OnDeny(route, key);
        context.Response.Headers.RetryAfter = Seconds(decision.RetryAfter).ToString(CultureInfo.InvariantCulture);
        await new ApiError("rate_limited", options.DenyMessage).WriteAsync(context, options.DenyStatus);
    }

    // The endpoint is routing's choice, made before this middleware runs.
    private static bool GlobalRateApplies(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<ExemptFromGlobalRateAttribute>() is null;

    // A loop rather than LINQ: this runs on every request.
    private static bool Whitelisted(HttpContext context, RateLimitPolicy policy)
    {
        if (policy.Whitelist.Count == 0)
            return false;
        var address = ClientKey.Address(context, policy.TrustedProxies);
        foreach (var network in policy.Whitelist)
            if (network.Contains(address))
                return true;
        return false;
    }

    private static void AddHeaders(HttpResponse response, RateDecision decision)
    {
        var window = Seconds(decision.Rate.Period);
        var reset = Seconds(decision.ResetAfter);
        response.Headers["X-RateLimit-Limit"] = decision.Rate.Limit.ToString(CultureInfo.InvariantCulture);
        response.Headers["X-RateLimit-Remaining"] = decision.Remaining.ToString(CultureInfo.InvariantCulture);
        response.Headers["X-RateLimit-Reset"] = (DateTimeOffset.UtcNow.ToUnixTimeSeconds() + reset).ToString(CultureInfo.InvariantCulture);
        response.Headers["RateLimit-Policy"] = $"\"default\";q={decision.Rate.Limit};w={window}";
        response.Headers["RateLimit"] = $"\"default\";r={decision.Remaining};t={reset}";
    }

    private static long Seconds(TimeSpan span) => (long)Math.Ceiling(span.TotalSeconds);

    // Never waits for signing keys being fetched: a token whose key is not held yet counts as its address, and the
    // upgrade behind the limiter does the waiting, once, within the handshake timeout.
    private static async ValueTask<string?> VerifiedSubjectAsync(HttpRequest request, TokenValidator tokens) =>
        TokenIdentity.TokenOf(request.Query, request.Headers) is { } token
            ? (await tokens.CheckAsync(token, waitForKeys: false)).Token?.Subject
            : null;
}

/// <summary>The limiter's decisions on this node, shown in the stats.</summary>
public sealed class RateLimitCounters
{
    private long _allowed;
    private long _denied;
    private long _storeFailures;

    public long Allowed => Volatile.Read(ref _allowed);
    public long Denied => Volatile.Read(ref _denied);

    /// <summary>Requests the store could not decide, let through or refused per FailOpen.</summary>
    public long StoreFailures => Volatile.Read(ref _storeFailures);

    public void RecordAllowed() => Interlocked.Increment(ref _allowed);

    public void RecordDenied() => Interlocked.Increment(ref _denied);

    public void RecordStoreFailure() => Interlocked.Increment(ref _storeFailures);
}

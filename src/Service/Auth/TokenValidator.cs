using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Switchboard.Actors.Hub;
using Switchboard.Actors.Routing;
using Switchboard.Service.Http;
using Switchboard.Streams.Json;

namespace Switchboard.Service.Auth;

/// <summary>A token that passed every check: who it names, what it grants.</summary>
/// <param name="Info">The <c>info</c> claim's compact bytes (<see cref="PresenceInfo"/>), shown by presence; null without one.</param>
/// <param name="EncodedPayload">The claims as signed (base64url), decoded only for a connect hook that is sent them.</param>
public sealed record VerifiedToken(string Subject, IReadOnlyList<string> Groups, IReadOnlySet<string> Scopes, DateTimeOffset Expires,
    byte[]? Info = null, string? EncodedPayload = null);

/// <summary>
/// Why a token was not taken, in words for the client that never quote it. <see cref="KeysUnavailable"/>: the keys to
/// check it could not be had in time, so it may well be valid (an upgrade gets 503 <c>keys_unavailable</c>, not 401).
/// </summary>
public sealed record TokenRefusal(string Message, bool KeysUnavailable = false);

/// <summary>
/// Checks the tokens of <c>Auth:Jwt</c> with Microsoft.IdentityModel's <see cref="JsonWebTokenHandler"/> (what
/// ASP.NET Core's JWT bearer uses): signature with the configured keys and algorithms only, <c>exp</c> required,
/// <c>nbf</c>, issuer and audience as configured, then <c>sub</c> required and a user id a connection may take, and
/// <c>exp</c> no further ahead than <c>MaxLifetime</c>. A token whose header has <c>crit</c> is refused before any key
/// is looked up. Waits for a key being fetched no longer than the handshake timeout. Also renews a connection's token.
/// </summary>
public sealed class TokenValidator : ITokenRenewal, IDisposable
{
    private static readonly TokenRefusal NotCompactJws = new("the token is not a JWS in compact form");
    private static readonly TokenRefusal KeysUnavailable =
        new("the keys to check the token could not be fetched in time; try again later", KeysUnavailable: true);
    private static readonly CancellationToken NoWait = new(canceled: true);

    private readonly HttpClient _http;
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private readonly JwtOptions _options;
    private readonly SigningKeys _keys;
    private readonly JwksKeys? _jwks;
    private readonly SharedDeadline _keyWait;
    private readonly TimeProvider _clock;
    private readonly TokenValidationParameters _parameters;

    /// <param name="keyWait">The longest a check waits for signing keys being fetched: the handshake timeout.</param>
    public TokenValidator(JwtOptions options, TimeSpan keyWait, HttpClient http, ILogger<TokenValidator> logger, TimeProvider clock)
    {
        _options = options;
        _http = http;
        _clock = clock;
        _keys = SigningKeys.Load(options);
        _jwks = options.JwksUrl is { } url ? new JwksKeys(url, http, logger, clock) : null;
        _keyWait = new SharedDeadline(keyWait);
        _parameters = new TokenValidationParameters
        {
            ValidAlgorithms = _keys.Algorithms,
            IssuerSigningKeys = _keys.Keys,
            ValidateIssuer = options.Issuer is not null,
            ValidIssuer = options.Issuer,
            ValidateAudience = options.Audience is not null,
            ValidAudience = options.Audience,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ClockSkew = options.ClockSkew,
        };
    }

    public TimeSpan ClockSkew => _options.ClockSkew;

    public void Dispose() => _http.Dispose();

    /// <summary>The verified token, or null and why it was refused.</summary>
    /// <param name="waitForKeys">
    /// False: a token whose key is not held is refused as <see cref="TokenRefusal.KeysUnavailable"/> at once (a fetch
    /// for it still starts when due), for a caller that hands such a token on to one that waits.
    /// </param>
    public async ValueTask<(VerifiedToken? Token, TokenRefusal? Refusal)> CheckAsync(string token, bool waitForKeys = true)
    {
        if (Read(token) is not { } jwt)
            return (null, NotCompactJws);
        // RFC 7515 §4.1.11: extensions named in crit must be understood or the token refused; this server knows none.
        if (jwt.TryGetHeaderValue<object>("crit", out _))
            return Refused("the token's header names critical extensions (crit), which this server does not support");
        var parameters = _parameters;
        if (_jwks is not null)
        {
            var published = await _jwks.KeysForAsync(string.IsNullOrEmpty(jwt.Kid) ? null : jwt.Kid, waitForKeys ? _keyWait.Token : NoWait);
            if (published is null)
                return (null, KeysUnavailable);
            parameters = _parameters.Clone();
            parameters.IssuerSigningKeys = [.. _keys.Keys, .. published];
        }
        var result = await _handler.ValidateTokenAsync(jwt, parameters);
        if (!result.IsValid)
            return Refused(Describe(result.Exception));
        if (!jwt.TryGetPayloadValue<string>("sub", out var subject) || string.IsNullOrEmpty(subject))
            return Refused("the token has no sub claim");
        if (Names.CheckConnectable(subject) is { } unusable)
            return Refused($"the token's sub cannot be a connection's user: {unusable.Message}");
        // ValidTo is at most DateTime.MaxValue however large exp is, and both bounds are settings of at most 100 years.
        if (_options.MaxLifetime is { } maxLifetime && jwt.ValidTo - _clock.GetUtcNow().UtcDateTime > maxLifetime + _options.ClockSkew)
            return Refused("the token's lifetime is longer than this server accepts");
        var (hasInfo, info) = InfoOf(jwt);
        if (hasInfo && info is null)
            return Refused($"the token's info claim is not usable: {PresenceInfo.Rule}");
        return (new VerifiedToken(subject, ListClaim(jwt, "groups"), ScopesOf(jwt), new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero), info,
            jwt.EncodedPayload), null);
    }

    public async ValueTask<(ConnectionGrant? Grant, FrameError? Error)> RenewAsync(string userId, string token)
    {
        var (verified, refusal) = await CheckAsync(token);
        if (verified is null)
            return (null, new FrameError("invalid_token", refusal!.Message));
        if (verified.Subject != userId)
            return (null, new FrameError("invalid_token", "the new token names another user"));
        return (GrantOf(verified), null);
    }

    /// <summary>What a verified token lets its connection do; with RestrictGroups only the groups it lists.</summary>
    public ConnectionGrant GrantOf(VerifiedToken token) =>
        new(token.Scopes.Contains("broadcast"), _options.RestrictGroups ? new GroupPatterns(token.Groups) : null, token.Expires, token.Info);

    private static (VerifiedToken?, TokenRefusal?) Refused(string message) => (null, new TokenRefusal(message));

    /// <summary>The token's header and claims, not yet checked; null when it cannot be read at all.</summary>
    private JsonWebToken? Read(string token)
    {
        try
        {
            return _handler.CanReadToken(token) ? _handler.ReadJsonWebToken(token) : null;
        }
        catch (Exception e) when (e is ArgumentException or SecurityTokenMalformedException)
        {
            return null;
        }
    }

    private static string Describe(Exception? problem) => problem switch
    {
        SecurityTokenExpiredException => "the token has expired",
        SecurityTokenNotYetValidException => "the token is not valid yet",
        SecurityTokenNoExpirationException => "the token has no exp claim",
        SecurityTokenInvalidIssuerException => "the token's issuer is not accepted",
        SecurityTokenInvalidAudienceException => "the token's audience is not accepted",
        SecurityTokenInvalidAlgorithmException => "the token's algorithm is not accepted",
        SecurityTokenInvalidSignatureException or SecurityTokenSignatureKeyNotFoundException => "the token's signature does not verify",
        SecurityTokenMalformedException or ArgumentException => "the token is not a JWS in compact form",
        _ => "the token is not valid",
    };

    private static IReadOnlyList<string> ListClaim(JsonWebToken jwt, string name)
    {
        if (!jwt.TryGetPayloadValue<JsonElement>(name, out var value))
            return [];
        return value.ValueKind switch
        {
            JsonValueKind.Array => value.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToList(),
            JsonValueKind.String => [value.GetString()!],
            _ => [],
        };
    }

    // Read from the payload as it was signed: the handler's typed claim access turns objects and strings into other shapes.
    private static (bool Present, byte[]? Info) InfoOf(JsonWebToken jwt)
    {
        using var payload = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(jwt.EncodedPayload));
        return payload.RootElement.ValueKind == JsonValueKind.Object && payload.RootElement.TryGetProperty("info", out var claim)
            ? (true, PresenceInfo.Of(claim))
            : (false, null);
    }

    private static HashSet<string> ScopesOf(JsonWebToken jwt) =>
        jwt.TryGetPayloadValue<string>("scope", out var scope) && scope is not null
            ? scope.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal)
            : [];
}

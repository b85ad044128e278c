namespace Switchboard.Service.Auth;

/// <summary>
/// Identity and access (the <c>Auth</c> configuration section, so <c>Auth__Jwt__Secret</c> as an environment
/// variable). Built and checked by <see cref="AuthOptionsLoader"/>; every part is off by default.
/// </summary>
public sealed record AuthOptions
{
    public const string SectionName = "Auth";

    /// <summary>Tokens on the WebSocket; null: the user is named by <c>user_id</c> or <c>X-User-ID</c>.</summary>
    public JwtOptions? Jwt { get; init; }

    /// <summary>Origins (<c>scheme://host[:port]</c>) a browser upgrade may come from; empty: any.</summary>
    public IReadOnlyList<string> AllowedOrigins { get; init; } = [];

    /// <summary>The HTTP API's keys; none: protected mode (loopback callers only).</summary>
    public IReadOnlyList<ApiKeyOptions> ApiKeys { get; init; } = [];

    /// <summary>
    /// Upgrades through the HTTP pipeline take their user from the app's own authentication
    /// (<c>HttpContext.User</c>: its <c>sub</c> or name-identifier claim) instead of a token of ours.
    /// </summary>
    public bool UseHttpContextUser { get; init; }
}

public sealed record JwtOptions
{
    public static readonly TimeSpan DefaultMaxLifetime = TimeSpan.FromHours(24);
    public static readonly TimeSpan DefaultClockSkew = TimeSpan.FromSeconds(30);

    /// <summary>The HS256 secret: its UTF-8 bytes, at least 32 of them.</summary>
    public string? Secret { get; init; }

    /// <summary>A PEM file with an RSA public key (RS256) or an EC P-256 one (ES256).</summary>
    public string? PublicKeyFile { get; init; }

    /// <summary>Where the signing keys are published as a JWKS, chosen by <c>kid</c>.</summary>
    public Uri? JwksUrl { get; init; }

    /// <summary>Accepted <c>alg</c> values; empty: every algorithm the configured keys allow.</summary>
    public IReadOnlyList<string> Algorithms { get; init; } = [];

    public string? Issuer { get; init; }
    public string? Audience { get; init; }

    /// <summary>Leeway for <c>exp</c> and <c>nbf</c>.</summary>
    public TimeSpan ClockSkew { get; init; } = DefaultClockSkew;

    /// <summary>
    /// How far ahead a token's <c>exp</c> may be (beyond <see cref="ClockSkew"/>), so that a leaked token cannot be
    /// good for years; null: no bound.
    /// </summary>
    public TimeSpan? MaxLifetime { get; init; } = DefaultMaxLifetime;

    /// <summary>A connection joins only the groups its token lists (a name ending in <c>*</c> is a prefix).</summary>
    public bool RestrictGroups { get; init; }
}

/// <summary>
/// One API key: <see cref="Name"/> is what the logs say, never the key. <see cref="Key"/> is the key itself, or its digest
/// form (<c>sha256:</c> and 64 hex digits, <see cref="Switchboard.Contracts.ApiKeys.DigestForm"/>) so that the node's
/// configuration need not hold the key.
/// </summary>
public sealed record ApiKeyOptions(string Name, string Key, IReadOnlyList<string> Scopes);

using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.Primitives;
using Switchboard.Contracts;
using Switchboard.Service.Http;

namespace Switchboard.Service.Auth;

/// <summary>What a caller of the HTTP API may do (PROTOCOL.md, Identity and access).</summary>
[Flags]
public enum ApiScopes
{
    None = 0,
    Publish = 1,
    Read = 2,
    Impersonate = 4,
    Admin = 8,
    All = Publish | Read | Impersonate | Admin,
}

/// <summary>Who called the API: the key's name (what logs may say) and its scopes.</summary>
public sealed class ApiCaller(string name, ApiScopes scopes)
{
    /// <summary>Every scope, for loopback callers while no key is configured.</summary>
    public static readonly ApiCaller ProtectedModeLoopback = new("loopback", ApiScopes.All);

    public string Name { get; } = name;
    public ApiScopes Scopes { get; } = scopes;

    public bool Has(ApiScopes scope) => (Scopes & scope) == scope;
}

/// <summary>The parts of a request that decide its access: the two key headers, the peer, a proxy's header, the Host.</summary>
public readonly struct ApiRequest
{
    public const string ApiKeyHeader = "X-API-Key";

    public StringValues Authorization { get; init; }
    public StringValues ApiKey { get; init; }
    public IPAddress? Remote { get; init; }

    /// <summary>The name of a header the request carries that a proxy adds (<see cref="ProxyHeaders"/>), or null.</summary>
    public string? ProxyHeader { get; init; }

    /// <summary>The <c>Host</c> header, or null without one.</summary>
    public string? Host { get; init; }

    public static ApiRequest Of(Microsoft.AspNetCore.Http.HttpContext context)
    {
        var headers = context.Request.Headers;
        return new ApiRequest
        {
            Authorization = headers.Authorization,
            ApiKey = headers[ApiKeyHeader],
            Remote = context.Connection.RemoteIpAddress,
            ProxyHeader = ProxyHeaders.FirstIn(headers),
            Host = context.Request.Host.HasValue ? context.Request.Host.Value : null,
        };
    }
}

/// <summary>Why a call is refused, and with which status.</summary>
public sealed record ApiRefusal(ApiError Error, int Status);

/// <summary>
/// A call's access: granted when <see cref="Refusal"/> is null. <see cref="Caller"/> is the key presented when it is
/// known, also when it lacks the scope (for the log).
/// </summary>
public readonly record struct ApiDecision(ApiCaller? Caller, ApiRefusal? Refusal);

/// <summary>
/// Decides what an API call may do, from the configured keys and the request alone (no I/O, no clock), so that
/// every rule of PROTOCOL.md's Identity and access is tested without a network.
/// </summary>
public sealed class ApiAccess
{
    public const string SettingName = "Auth:ApiKeys";

    private static readonly ApiRefusal NoKey = Unauthorized(
        $"present an API key as \"Authorization: Bearer <key>\" or \"{ApiRequest.ApiKeyHeader}: <key>\"");
    private static readonly ApiRefusal UnknownKey = Unauthorized("the API key is not known here");
    private static readonly ApiRefusal TwoKeys = Unauthorized("the request presents two different API keys; present one");
    private static readonly ApiRefusal NotLoopback = Unauthorized(
        $"no API key is configured, so only loopback callers are served; configure {SettingName} to call from elsewhere");
    private static readonly ApiRefusal Proxied = Unauthorized(
        "no API key is configured, so only loopback callers are served, and a request with a header a proxy adds " +
        $"(Forwarded, X-Forwarded-*, X-Real-IP, Via, ...) is not one; configure {SettingName} to call through a proxy");
    private static readonly ApiRefusal ForeignHost = Unauthorized(
        "no API key is configured, so only loopback callers are served, and a request whose Host is not a loopback name or " +
        $"address (localhost, 127.0.0.1, [::1]) is not one; configure {SettingName} to call the node by another name");

    // Digests, not keys, are compared: the same length whatever was presented, so FixedTimeEquals takes the same
    // time for every input and says nothing of how much of a key was right. A key configured as its digest
    // (ApiKeys.DigestPrefix) is compared the same way, so the node never needs the key itself.
    private readonly (byte[] Digest, ApiCaller Caller)[] _keys;
    private readonly int _longestKey;

    public ApiAccess(AuthOptions options) : this(options.ApiKeys) { }

    /// <exception cref="ArgumentException">A key in the digest form is not 64 hex digits (the loader refuses it first).</exception>
    public ApiAccess(IReadOnlyList<ApiKeyOptions> keys)
    {
        _keys = keys.Select(k => (ApiKeys.DigestOf(k.Key) ?? throw new ArgumentException($"API key {k.Name}: a malformed digest", nameof(keys)),
            new ApiCaller(k.Name, ScopesOf(k.Scopes)))).ToArray();
        // A key known only by its digest may be as long as any key.
        _longestKey = keys.Count == 0 ? 0 : keys.Max(k => ApiKeys.IsDigestForm(k.Key) ? ApiKeys.MaxLength : k.Key.Length);
    }

    /// <summary>No key is configured: loopback callers have every scope, nobody else has any.</summary>
    public bool ProtectedMode => _keys.Length == 0;

    public ApiDecision Decide(ApiScopes required, in ApiRequest request)
    {
        if (ProtectedMode)
            return NotLoopbackCaller(request) is { } notLoopback ? new(null, notLoopback) : new(ApiCaller.ProtectedModeLoopback, null);
        var caller = Identify(request, out var refusal);
        if (caller is not null && !caller.Has(required))
            refusal = Forbidden(required);
        return new(caller, refusal);
    }

    public static ApiScopes ScopesOf(IEnumerable<string> scopes)
    {
        var result = ApiScopes.None;
        foreach (var scope in scopes)
        {
            result |= scope switch
            {
                "publish" => ApiScopes.Publish,
                "read" => ApiScopes.Read,
                "impersonate" => ApiScopes.Impersonate,
                "admin" => ApiScopes.All,
                _ => ApiScopes.None,
            };
        }
        return result;
    }

    public static string NameOf(ApiScopes scope) => scope switch
    {
        ApiScopes.Publish => "publish",
        ApiScopes.Read => "read",
        ApiScopes.Impersonate => "impersonate",
        _ => "admin",
    };

    public static ApiRefusal Forbidden(ApiScopes scope) =>
        new(new ApiError("forbidden", $"this API key does not have the \"{NameOf(scope)}\" scope"), 403);

    private static ApiRefusal Unauthorized(string message) => new(new ApiError("unauthorized", message), 401);

    private ApiCaller? Identify(in ApiRequest request, out ApiRefusal? refusal)
    {
        var bearer = BearerToken(request.Authorization);
        var header = request.ApiKey.Count == 1 ? request.ApiKey[0].AsSpan().Trim() : default;
        if (request.ApiKey.Count > 1 || (!bearer.IsEmpty && !header.IsEmpty && !bearer.SequenceEqual(header)))
        {
            refusal = TwoKeys;
            return null;
        }
        var presented = bearer.IsEmpty ? header : bearer;
        if (presented.IsEmpty)
        {
            refusal = NoKey;
            return null;
        }
        var caller = Find(presented);
        refusal = caller is null ? UnknownKey : null;
        return caller;
    }

    // "Bearer <key>", the scheme in any case (RFC 9110 §11.1); any other scheme is not ours and presents nothing.
    private static ReadOnlySpan<char> BearerToken(StringValues authorization)
    {
        if (authorization.Count != 1)
            return default;
        var value = authorization[0].AsSpan().Trim();
        return value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? value["Bearer ".Length..].Trim() : default;
    }

    private ApiCaller? Find(ReadOnlySpan<char> presented)
    {
        // Longer than every key: equal to none, and not worth hashing (a bound on what a caller makes us hash).
        if (presented.Length > _longestKey)
            return null;
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        ApiKeys.Digest(presented, digest);

        // Every key is compared, so the time taken does not say which one matched.
        ApiCaller? found = null;
        foreach (var (key, caller) in _keys)
        {
            if (CryptographicOperations.FixedTimeEquals(digest, key))
                found = caller;
        }
        return found;
    }

    // A loopback peer is not enough: a proxy on this host forwards callers from anywhere, and a browser visiting a page
    // whose name resolves to 127.0.0.1 (DNS rebinding) is a loopback peer sending that page's requests.
    private static ApiRefusal? NotLoopbackCaller(in ApiRequest request)
    {
        if (request.Remote is not { } remote || !IPAddress.IsLoopback(remote)) // also ::ffff:127.0.0.0/104
            return NotLoopback;
        if (request.ProxyHeader is not null)
            return Proxied;
        return LoopbackHosts.IsLoopback(request.Host) ? null : ForeignHost;
    }
}

using Microsoft.AspNetCore.Http;
using Switchboard.Actors.Hub;
using Switchboard.Service.Auth;

namespace Switchboard.Service.Http;

/// <summary>Who is connecting, and what their token lets them do.</summary>
/// <param name="Groups">The groups the token names, joined at connect.</param>
/// <param name="Settled">
/// Whether a token or the embedding app named the user; false when the id is only what the client asked for (or
/// generated), which a connect hook does not take as the identity.
/// </param>
/// <param name="TokenPayload">The verified token's claims (base64url), for a connect hook; null without a token.</param>
public sealed record ConnectingIdentity(string UserId, IReadOnlyList<string> Groups, ConnectionGrant Grant, bool Settled = true,
    string? TokenPayload = null);

/// <summary>
/// With <c>Auth:Jwt</c>, the user of an upgrade is the <c>sub</c> of its token, taken from <c>access_token</c> (browsers
/// cannot set headers on a WebSocket) or <c>Authorization: Bearer</c>; a <c>user_id</c> or <c>X-User-ID</c> that names
/// someone else is refused. A token whose signing keys could not be fetched in time gets 503 <c>keys_unavailable</c>:
/// it may be valid, and the client should retry rather than ask for a new token.
/// </summary>
public static class TokenIdentity
{
    private const string BearerPrefix = "Bearer ";

    /// <param name="waitForKeys">As <see cref="TokenValidator.CheckAsync"/> takes it.</param>
    public static async ValueTask<(ConnectingIdentity?, UpgradeRefusal?)> ResolveAsync(TokenValidator tokens, IQueryCollection query,
        IHeaderDictionary headers, bool waitForKeys)
    {
        if (TokenOf(query, headers) is not { } token)
            return (null, InvalidToken("a token is required: give it as access_token or in Authorization: Bearer"));
        var (verified, refusal) = await tokens.CheckAsync(token, waitForKeys);
        if (verified is null)
        {
            return (null, refusal!.KeysUnavailable
                ? new UpgradeRefusal(new ApiError("keys_unavailable", refusal.Message), StatusCodes.Status503ServiceUnavailable)
                : InvalidToken(refusal.Message));
        }
        var named = query["user_id"].ToString();
        if (named.Length == 0)
            named = headers["X-User-ID"].ToString();
        if (named.Length > 0 && named != verified.Subject)
        {
            return (null, new UpgradeRefusal(new ApiError("user_mismatch", "user_id names another user than the token's sub"),
                StatusCodes.Status401Unauthorized));
        }
        return (new ConnectingIdentity(verified.Subject, verified.Groups, tokens.GrantOf(verified), TokenPayload: verified.EncodedPayload), null);
    }

    /// <summary>The token an upgrade carries: <c>access_token</c>, else <c>Authorization: Bearer</c>.</summary>
    public static string? TokenOf(IQueryCollection query, IHeaderDictionary headers)
    {
        var token = query["access_token"].ToString();
        if (token.Length > 0)
            return token;
        var authorization = headers.Authorization.ToString();
        return authorization.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase) && authorization.Length > BearerPrefix.Length
            ? authorization[BearerPrefix.Length..].Trim()
            : null;
    }

    private static UpgradeRefusal InvalidToken(string message) =>
        new(new ApiError("invalid_token", message), StatusCodes.Status401Unauthorized);
}

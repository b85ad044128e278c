using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.Tokens;
using Switchboard.Actors.Hooks;
using Switchboard.Actors.Hub;
using Switchboard.Service.Hooks;

namespace Switchboard.Service.Http;

/// <summary>Who an upgrade the connect hook let in is, the groups it joins, what it may do and what the application gave it.</summary>
/// <param name="Groups">The groups the hook named, joined without further checks (beyond the count).</param>
public sealed record ConnectVerdict(string UserId, IReadOnlyList<string> Groups, ConnectionGrant Grant, AppSession? App);

/// <summary>
/// The connect hook's step of an admission (PROTOCOL.md "Application hooks"), after the token and origin checks: asks the
/// application about the upgrade and settles who it is. The token's <c>sub</c> (or the embedding app's user) when there is
/// one, which the hook may not rename (<see cref="HookAnswerRules"/>); else the <c>user_id</c> the hook answered; else an
/// anonymous id. The <c>user_id</c> a client asked for is only a hint sent to the hook. A refusal is the hook's status and
/// body; a hook that failed or was busy is 503 under <c>OnFailure=deny</c>, and as if it were off under <c>allow</c>.
/// </summary>
public sealed class ConnectHook(HookCalls hooks, string node)
{
    private const string DefaultRefusalCode = "forbidden";
    private const string DefaultRefusalMessage = "the application refused this connection";

    /// <summary>An upgrade refused for a hook that failed under <c>OnFailure=deny</c>, or was busy: 503 with the socket's codes.</summary>
    internal static readonly UpgradeRefusal Unavailable = new(ApiError.Of(HookCalls.Unavailable), StatusCodes.Status503ServiceUnavailable);
    internal static readonly UpgradeRefusal Busy = new(ApiError.Of(HookCalls.Busy), StatusCodes.Status503ServiceUnavailable);

    private readonly ConnectForwarding _forwarding = new(hooks.Options);

    /// <param name="identity">Who the upgrade is so far: settled by a token or the app, or only what the client asked for.</param>
    /// <param name="requested">The <c>user_id</c> or <c>X-User-ID</c> the client sent, checked; null when none.</param>
    public async ValueTask<(ConnectVerdict? Verdict, UpgradeRefusal? Refusal)> AskAsync(ConnectingIdentity identity, string? requested,
        IHeaderDictionary headers, IPAddress? client)
    {
        var settled = identity.Settled ? identity.UserId : null;
        var request = new ConnectRequest(settled, requested, _forwarding.ClientOf(headers, client), Claims(identity.TokenPayload), node);
        var result = await hooks.ConnectAsync(request);
        if (result.Answer is not { } answer)
        {
            return result.FailedOpen
                ? (new ConnectVerdict(settled ?? UserIdentity.Anonymous(), [], identity.Grant, null), null)
                : (null, result.Outcome == HookOutcome.Busy ? Busy : Unavailable);
        }
        if (answer.Allow == false)
        {
            return (null, new UpgradeRefusal(new ApiError(answer.Error ?? DefaultRefusalCode, answer.Message ?? DefaultRefusalMessage),
                answer.Status ?? StatusCodes.Status403Forbidden));
        }
        // The hook's info wins over the token's claim; data and expires_in live only as long as the connection needs them.
        var grant = HookAnswerRules.InfoBytes(answer.Info) is { } info ? identity.Grant with { Info = info } : identity.Grant;
        var data = HookAnswerRules.Bytes(answer.Data);
        var app = data is null && answer.ExpiresIn is null
            ? null
            : new AppSession(data, answer.ExpiresIn is { } seconds ? DateTimeOffset.UtcNow.AddSeconds(seconds) : null);
        return (new ConnectVerdict(settled ?? answer.UserId ?? UserIdentity.Anonymous(), answer.Groups ?? [], grant, app), null);
    }

    // The verified token's claims as it was signed; JSON null without a token.
    private static System.Text.Json.JsonElement Claims(string? encodedPayload) =>
        encodedPayload is null ? HookValues.Null : HookValues.Of(Base64UrlEncoder.DecodeBytes(encodedPayload));
}

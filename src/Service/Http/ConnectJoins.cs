using Microsoft.AspNetCore.Http;
using Switchboard.Actors.Hooks;
using Switchboard.Actors.Hub;
using Switchboard.Actors.Namespaces;

namespace Switchboard.Service.Http;

/// <summary>
/// The join hook's step of an admission: a group the client names at connect (<c>groups=</c>, <c>resume_groups=</c>) in a
/// namespace with <c>JoinHook</c> asks the application as a <c>join</c> frame would, so that connecting is no way around it.
/// Groups the application named itself (the token's <c>groups</c> claim, the connect hook's answer) are not asked about. The
/// groups are asked about at once; any refusal refuses the upgrade with the hook's code and message (403), a failure under
/// <c>OnFailure=deny</c> with 503. The answers' <c>data</c> has no ack to ride on at connect and is not sent.
/// </summary>
public sealed class ConnectJoins(HookCalls hooks, NamespaceBook namespaces)
{
    /// <summary>The groups of <paramref name="named"/> the join hook must be asked about.</summary>
    public IReadOnlyList<string> Asked(IEnumerable<string> named)
    {
        var table = namespaces.Current;
        return named.Where(g => table.For(g).JoinHook).ToList();
    }

    /// <summary>Null when the application lets the connection into every group; else the refusal of the first it did not.</summary>
    public async ValueTask<UpgradeRefusal?> AskAsync(string userId, string connectionId, ConnectionGrant grant, IReadOnlyList<string> groups)
    {
        var info = HookValues.Of(grant.Info);
        var results = await Task.WhenAll(groups.Select(group =>
            hooks.JoinAsync(new JoinRequest(userId, connectionId, group, info, HookValues.Null))));
        foreach (var result in results)
        {
            if (result.Answer is { Allow: true } || result.FailedOpen)
                continue;
            if (result.Answer is { } refused)
                return new UpgradeRefusal(new ApiError(refused.Error ?? "forbidden", refused.Message ?? "the application refused the join"),
                    StatusCodes.Status403Forbidden, HookAsked: true);
            return (result.Outcome == HookOutcome.Busy ? ConnectHook.Busy : ConnectHook.Unavailable) with { HookAsked = true };
        }
        return null;
    }
}

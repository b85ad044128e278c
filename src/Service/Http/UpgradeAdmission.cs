using Microsoft.AspNetCore.Http;
using Switchboard.Actors.Hub;
using Switchboard.Service.Hosting;

namespace Switchboard.Service.Http;

/// <summary>An upgrade the hub takes: its 101 answer, the user and the groups joined at connect; it holds a connection slot.</summary>
public sealed record AdmittedUpgrade(WebSocketHandshake Handshake, string UserId, IReadOnlyList<string> Groups);

/// <summary>Why an upgrade is refused, and with which status.</summary>
public sealed record UpgradeRefusal(ApiError Error, int Status);

/// <summary>
/// The checks every upgrade passes, whichever path it came by (<see cref="WebSocketEndpoint"/> or
/// <see cref="TransportUpgrade"/>), in the order their refusals are answered: one list, so the paths cannot drift.
/// </summary>
public static class UpgradeAdmission
{
    private static readonly UpgradeRefusal Draining =
        new(new ApiError("draining", "this node is shutting down; connect to another"), StatusCodes.Status503ServiceUnavailable);

    private static readonly UpgradeRefusal NotHttp11 =
        new(new ApiError("bad_handshake", "the connection cannot be upgraded (HTTP/1.1 is required)"), StatusCodes.Status400BadRequest);

    /// <summary>Null and the refusal when the upgrade is not taken; when it is, a connection slot is taken for it.</summary>
    /// <param name="upgradable">Whether the request can be upgraded at all (HTTP/1.1, not HTTP/2).</param>
    public static AdmittedUpgrade? Admit(string method, IQueryCollection query, IHeaderDictionary headers, bool upgradable,
        ConnectionHub hub, NodeState node, bool compression, out UpgradeRefusal? refusal)
    {
        refusal = null;
        if (node.IsDraining)
        {
            refusal = Draining;
            return null;
        }
        var handshake = WebSocketHandshake.Negotiate(method, headers, compression, out var error);
        if (handshake is null || !upgradable)
        {
            refusal = error is null ? NotHttp11 : new UpgradeRefusal(error, StatusCodes.Status400BadRequest);
            return null;
        }
        var userId = UserIdentity.Resolve(query, headers, out error);
        var groups = userId is null ? null : UserIdentity.Groups(query, out error);
        if (userId is null || groups is null)
        {
            refusal = new UpgradeRefusal(error!, StatusCodes.Status400BadRequest);
            return null;
        }
        if (!hub.TryAdmit())
        {
            refusal = new UpgradeRefusal(new ApiError("too_many_connections",
                $"this node holds its maximum of {hub.Options.MaxConnections} connections"), StatusCodes.Status429TooManyRequests);
            return null;
        }
        return new AdmittedUpgrade(handshake, userId, groups);
    }
}

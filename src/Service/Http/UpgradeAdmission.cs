using System.Net;
using Microsoft.AspNetCore.Http;
using Switchboard.Actors.Hub;
using Switchboard.Service.Auth;
using Switchboard.Service.Hosting;
using Switchboard.Service.Settings;
using Switchboard.Streams;

namespace Switchboard.Service.Http;

/// <summary>
/// An upgrade the hub takes: its 101 answer, the user and the groups joined at connect. It holds a
/// connection slot and the client's places in the quotas until it has run, or is abandoned.
/// </summary>
public sealed class AdmittedUpgrade(WebSocketHandshake handshake, string userId, IReadOnlyList<string> groups,
    ConnectionHub hub, ClientLease lease)
{
    public WebSocketHandshake Handshake { get; } = handshake;
    public string UserId { get; } = userId;
    public IReadOnlyList<string> Groups { get; } = groups;

    /// <summary>Runs the connection until it has closed; then its slot and places are given back.</summary>
    public async Task RunAsync(ConnectionTransport transport)
    {
        using (lease)
            await hub.RunAsync(transport, UserId, Groups, Handshake.Compress);
    }

    /// <summary>Gives back the slot and places of an upgrade that will never run.</summary>
    public void Abandon()
    {
        hub.Release();
        lease.Dispose();
    }
}

/// <summary>Why an upgrade is refused, and with which status.</summary>
public sealed record UpgradeRefusal(ApiError Error, int Status);

/// <summary>
/// The checks every upgrade passes, whichever path it came by (<see cref="WebSocketEndpoint"/> or
/// <see cref="TransportUpgrade"/>), in the order their refusals are answered: one list, so the paths cannot drift.
/// </summary>
public sealed class UpgradeAdmission(ConnectionHub hub, NodeState node, SwitchboardOptions options, AuthOptions auth,
    ClientQuotas quotas)
{
    private static readonly UpgradeRefusal ForbiddenOrigin =
        new(new ApiError("forbidden_origin", "this origin may not open connections here"), StatusCodes.Status403Forbidden);

    private readonly HashSet<string>? _origins = auth.AllowedOrigins.Count == 0
        ? null
        : new HashSet<string>(auth.AllowedOrigins, StringComparer.OrdinalIgnoreCase);

    private static readonly UpgradeRefusal Draining =
        new(new ApiError("draining", "this node is shutting down; connect to another"), StatusCodes.Status503ServiceUnavailable);

    private static readonly UpgradeRefusal NotAMember =
        new(new ApiError("not_serving", "this node is no longer a cluster member; connect to another"),
            StatusCodes.Status503ServiceUnavailable);

    private static readonly UpgradeRefusal NotHttp11 =
        new(new ApiError("bad_handshake", "the connection cannot be upgraded (HTTP/1.1 is required)"), StatusCodes.Status400BadRequest);

    /// <summary>Null and the refusal when the upgrade is not taken; when it is, a connection slot is taken for it.</summary>
    /// <param name="upgradable">Whether the request can be upgraded at all (HTTP/1.1, not HTTP/2).</param>
    /// <param name="client">The address of the socket's peer (never a forwarded header), for the per-address bound.</param>
    public AdmittedUpgrade? Admit(string method, IQueryCollection query, IHeaderDictionary headers, bool upgradable,
        IPAddress? client, out UpgradeRefusal? refusal)
    {
        refusal = null;
        if (node.IsDraining)
        {
            refusal = node.IsDown ? NotAMember : Draining;
            return null;
        }
        var handshake = WebSocketHandshake.Negotiate(method, headers, options.EnableCompression, out var error);
        if (handshake is null || !upgradable)
        {
            refusal = error is null ? NotHttp11 : new UpgradeRefusal(error, StatusCodes.Status400BadRequest);
            return null;
        }
        // A browser always names the page's origin; a client without Origin is not a browser and is not refused for it.
        if (_origins is not null && headers.Origin is { Count: > 0 } origin && !_origins.Contains(origin.ToString()))
        {
            refusal = ForbiddenOrigin;
            return null;
        }
        var userId = UserIdentity.Resolve(query, headers, out error);
        var groups = userId is null ? null : UserIdentity.Groups(query, options.MaxGroupsPerConnection, out error);
        if (userId is null || groups is null)
        {
            refusal = new UpgradeRefusal(error!, StatusCodes.Status400BadRequest);
            return null;
        }
        if (!hub.TryAdmit())
        {
            refusal = TooManyConnections($"this node holds its maximum of {hub.Options.MaxConnections} connections");
            return null;
        }
        if (quotas.TryTake(userId, client, out var full) is not { } lease)
        {
            hub.Release();
            refusal = TooManyConnections(full!);
            return null;
        }
        return new AdmittedUpgrade(handshake, userId, groups, hub, lease);
    }

    private static UpgradeRefusal TooManyConnections(string message) =>
        new(new ApiError("too_many_connections", message), StatusCodes.Status429TooManyRequests);
}

using System.Net;
using Akka.Actor;
using Microsoft.AspNetCore.Http;
using Switchboard.Actors.Hooks;
using Switchboard.Actors.Hub;
using Switchboard.Actors.Routing;
using Switchboard.Service.Auth;
using Switchboard.Service.Hosting;
using Switchboard.Service.Settings;
using Switchboard.Streams;

namespace Switchboard.Service.Http;

/// <summary>
/// An upgrade the hub takes: its 101 answer, the user and the groups joined at connect. It holds a
/// connection slot and the client's places in the quotas until it has run, or is abandoned.
/// </summary>
/// <param name="reservedId">
/// The connection's id when a place was reserved for it with the user's entity (the cluster-wide bound per user); null
/// when the id is taken as the connection runs.
/// </param>
/// <param name="app">What the connect hook gave the connection (welcome's <c>data.app</c>, its session's end); null without one.</param>
/// <param name="connectionId">The connection's id when the join hook was asked about it before it ran; else as <paramref name="reservedId"/>.</param>
public sealed class AdmittedUpgrade(WebSocketHandshake handshake, string userId, IReadOnlyList<string> groups,
    ConnectionGrant grant, ConnectionHub hub, ClientLease lease, string? remoteAddress = null, ConnectResume? resume = null,
    string? reservedId = null, AppSession? app = null, string? connectionId = null)
{
    public WebSocketHandshake Handshake { get; } = handshake;
    public string UserId { get; } = userId;
    public IReadOnlyList<string> Groups { get; } = groups;
    public ConnectionGrant Grant { get; } = grant;

    /// <summary>Runs the connection until it has closed; then its slot and places are given back.</summary>
    // Not async: the hub gives the lease back when the connection ends, so no state machine of this method waits as
    // long as the connection lives.
    public Task RunAsync(ConnectionTransport transport) =>
        hub.RunAsync(transport, UserId, Groups, Handshake.Compress, Grant, remoteAddress, resume?.User, resume?.Groups, lease,
            reservedId ?? connectionId, app);

    /// <summary>Gives back the slot and places of an upgrade that will never run.</summary>
    public void Abandon()
    {
        hub.Release();
        lease.Dispose();
        // The entity would let the place lapse in seconds; told, it frees it now (no AddConnection will follow for this id).
        if (reservedId is not null)
            hub.Routing.Users.Tell(new UserProtocol.RemoveConnection(UserId, reservedId));
    }
}

/// <summary>Why an upgrade is refused, and with which status.</summary>
/// <param name="HookAsked">
/// Decided once the connect hook had been asked: final, so that the transport path hands it to the HTTP path to be answered
/// as it is (<see cref="TransportUpgrade"/>) rather than the hook being asked twice.
/// </param>
public sealed record UpgradeRefusal(ApiError Error, int Status, bool HookAsked = false);

/// <summary>
/// The checks every upgrade passes, whichever path it came by (<see cref="WebSocketEndpoint"/> or
/// <see cref="TransportUpgrade"/>), in the order their refusals are answered: one list, so the paths cannot drift.
/// </summary>
/// <param name="clusterQuota">The cluster-wide bound per user; null with the node scope or no bound, and then nothing is asked.</param>
public sealed class UpgradeAdmission(ConnectionHub hub, NodeState node, SwitchboardOptions options, AuthOptions auth,
    ClientQuotas quotas, AuthRefusals refusals, TokenValidator? tokens = null, ClusterUserQuota? clusterQuota = null,
    Actors.Namespaces.NamespaceBook? namespaces = null)
{
    private static readonly UpgradeRefusal ForbiddenOrigin =
        new(new ApiError("forbidden_origin", "this origin may not open connections here"), StatusCodes.Status403Forbidden);

    private readonly HashSet<string>? _origins = auth.AllowedOrigins.Count == 0
        ? null
        : new HashSet<string>(auth.AllowedOrigins, StringComparer.OrdinalIgnoreCase);

    // Null without a connect hook: then an upgrade costs nothing more than this check.
    private readonly ConnectHook? _connectHook = hub.Hooks is { } hooks && hooks.Has(HookKind.Connect) ? new ConnectHook(hooks, hub.Node) : null;

    private readonly ConnectJoins? _connectJoins = hub.Hooks is { } hooks && hooks.Has(HookKind.Join) && namespaces is not null
        ? new ConnectJoins(hooks, namespaces)
        : null;

    /// <summary>Whether upgrades may ask the application (its connect hook, or its join hook about groups named at connect).</summary>
    public bool AsksHooks => _connectHook is not null || _connectJoins is not null;

    private static readonly UpgradeRefusal Draining =
        new(new ApiError("draining", "this node is shutting down; connect to another"), StatusCodes.Status503ServiceUnavailable);

    private static readonly UpgradeRefusal NotAMember =
        new(new ApiError("not_serving", "this node is no longer a cluster member; connect to another"),
            StatusCodes.Status503ServiceUnavailable);

    private static readonly UpgradeRefusal Starting =
        new(new ApiError("starting", "this node has not joined its cluster yet; connect to another or retry"),
            StatusCodes.Status503ServiceUnavailable);

    private static readonly UpgradeRefusal NotHttp11 =
        new(new ApiError("bad_handshake", "the connection cannot be upgraded (HTTP/1.1 is required)"), StatusCodes.Status400BadRequest);

    /// <summary>The admitted upgrade, holding a connection slot; or null and the refusal.</summary>
    /// <param name="upgradable">Whether the request can be upgraded at all (HTTP/1.1, not HTTP/2).</param>
    /// <param name="client">The address of the socket's peer (never a forwarded header), for the per-address bound.</param>
    /// <param name="appUser">The user the embedding app authenticated, taken with Auth:UseHttpContextUser (HTTP path only).</param>
    /// <param name="waitForKeys">
    /// Whether a token whose signing key is being fetched waits for it (up to the handshake timeout, the only wait of an
    /// admission) or is refused at once with 503 <c>keys_unavailable</c>.
    /// </param>
    public async ValueTask<(AdmittedUpgrade? Upgrade, UpgradeRefusal? Refusal)> AdmitAsync(string method, IQueryCollection query,
        IHeaderDictionary headers, bool upgradable, IPAddress? client, string? appUser = null, bool waitForKeys = true)
    {
        var admission = await DecideAsync(method, query, headers, upgradable, client, appUser, waitForKeys);
        // The application's own refusals are the hook's to count (HookStats), not the node's access checks.
        if (admission.Refusal is { HookAsked: false, Status: StatusCodes.Status401Unauthorized or StatusCodes.Status403Forbidden } refusal)
            refusals.Record(refusal.Error.Error);
        return admission;
    }

    private async ValueTask<(AdmittedUpgrade? Upgrade, UpgradeRefusal? Refusal)> DecideAsync(string method, IQueryCollection query,
        IHeaderDictionary headers, bool upgradable, IPAddress? client, string? appUser, bool waitForKeys)
    {
        if (node.IsDraining)
            return (null, node.IsDown ? NotAMember : Draining);
        // Until it is an Up member with routing ready, a node could not route for the connection.
        if (!node.IsServing)
            return (null, Starting);
        var handshake = WebSocketHandshake.Negotiate(method, headers, options.EnableCompression, out var error);
        if (handshake is null || !upgradable)
            return (null, error is null ? NotHttp11 : new UpgradeRefusal(error, StatusCodes.Status400BadRequest));
        // A browser always names the page's origin; a client without Origin is not a browser and is not refused for it.
        if (_origins is not null && headers.Origin is { Count: > 0 } origin && !_origins.Contains(origin.ToString()))
            return (null, ForbiddenOrigin);
        var (identity, refusal) = appUser is not null
            ? AppUser(appUser)
            : tokens is null
                ? Anonymous(query, headers)
                : await TokenIdentity.ResolveAsync(tokens, query, headers, waitForKeys);
        if (identity is null)
            return (null, refusal);
        var resume = UserIdentity.Resume(query, out error);
        if (resume is null)
            return (null, new UpgradeRefusal(error!, StatusCodes.Status400BadRequest));
        var groups = UserIdentity.Groups(query, options.MaxGroupsPerConnection, out error, identity.Groups, resume.Groups.Keys);
        if (groups is null)
            return (null, new UpgradeRefusal(error!, StatusCodes.Status400BadRequest));
        if (identity.Grant.AllowedGroups is { } allowed && groups.FirstOrDefault(g => !allowed.Allows(g)) is { } outside)
            return (null, new UpgradeRefusal(new ApiError("forbidden", $"the token does not allow the group \"{outside}\""),
                StatusCodes.Status403Forbidden));
        if (!hub.TryAdmit())
            return (null, TooManyConnections($"this node holds its maximum of {hub.Options.MaxConnections} connections"));
        // The groups the client named, not the application (its token's claim): a connect hook's groups come after.
        var named = identity.Groups.Count == 0 ? groups : groups.Except(identity.Groups).ToList();
        AppSession? app = null;
        if (_connectHook is not null)
        {
            // After every check that needs no answer from the application, so that it is asked only about upgrades they let in.
            var (verdict, hookRefusal) = await AskConnectHookAsync(identity, groups, query, headers, client);
            if (verdict is null)
            {
                hub.Release();
                return (null, hookRefusal! with { HookAsked = true });
            }
            (identity, groups, app) = (identity with { UserId = verdict.UserId, Grant = verdict.Grant }, verdict.Groups, verdict.App);
        }
        string? connectionId = null;
        if (_connectJoins?.Asked(named) is { Count: > 0 } asked)
        {
            connectionId = hub.NewConnectionId();
            if (await _connectJoins.AskAsync(identity.UserId, connectionId, identity.Grant, asked) is { } joinRefusal)
            {
                hub.Release();
                return (null, joinRefusal);
            }
        }
        if (quotas.TryTake(identity.UserId, client, out var full) is not { } lease)
        {
            hub.Release();
            return (null, TooManyConnections(full!) with { HookAsked = _connectHook is not null });
        }
        // Last, so that only an upgrade every other check admitted takes a place in the cluster.
        string? reservedId = null;
        if (clusterQuota is not null)
        {
            reservedId = connectionId ?? hub.NewConnectionId();
            if (!await clusterQuota.TryReserveAsync(identity.UserId, reservedId))
            {
                hub.Release();
                lease.Dispose();
                return (null, TooManyConnections(
                    $"user \"{identity.UserId}\" holds its maximum of {clusterQuota.Limit} connections in the cluster")
                    with { HookAsked = _connectHook is not null });
            }
        }
        return (new AdmittedUpgrade(handshake, identity.UserId, groups, identity.Grant, hub, lease, client?.ToString(), resume,
            reservedId, app, connectionId), null);
    }

    // The hook's groups join those of the query and the token; together they are held to the same count.
    private async ValueTask<(ConnectVerdict?, UpgradeRefusal?)> AskConnectHookAsync(ConnectingIdentity identity,
        IReadOnlyList<string> groups, IQueryCollection query, IHeaderDictionary headers, IPAddress? client)
    {
        var (verdict, refusal) = await _connectHook!.AskAsync(identity, UserIdentity.Requested(query, headers, out _), headers, client);
        if (verdict is null)
            return (null, refusal);
        var all = verdict.Groups.Count == 0 ? groups : groups.Concat(verdict.Groups).Distinct().ToList();
        return all.Count <= options.MaxGroupsPerConnection
            ? (verdict with { Groups = all }, null)
            : (null, new UpgradeRefusal(new ApiError("too_many_groups",
                $"with the groups the application named, more than the {options.MaxGroupsPerConnection} a connection may join"),
                StatusCodes.Status400BadRequest));
    }

    // The embedding app named the user; it is held to the same rule as every other way of naming one.
    private static (ConnectingIdentity?, UpgradeRefusal?) AppUser(string userId) =>
        UserIdentity.Refusal(userId) is { } refused
            ? (null, new UpgradeRefusal(refused, StatusCodes.Status403Forbidden))
            : (new ConnectingIdentity(userId, [], ConnectionGrant.None), null);

    // Named by the client alone: with a connect hook, only a hint for it.
    private static (ConnectingIdentity?, UpgradeRefusal?) Anonymous(IQueryCollection query, IHeaderDictionary headers) =>
        UserIdentity.Resolve(query, headers, out var error) is { } userId
            ? (new ConnectingIdentity(userId, [], ConnectionGrant.None, Settled: false), null)
            : (null, new UpgradeRefusal(error!, StatusCodes.Status400BadRequest));

    private static UpgradeRefusal TooManyConnections(string message) =>
        new(new ApiError("too_many_connections", message), StatusCodes.Status429TooManyRequests);
}

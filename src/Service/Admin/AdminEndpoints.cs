using System.Text.Json;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Builder;
using Switchboard.Actors.Admin;
using Switchboard.Actors.Hub;
using Switchboard.Actors.Routing;
using Switchboard.Contracts;
using ConnectionInfo = Switchboard.Contracts.ConnectionInfo;
using Switchboard.Service.Http;
using Switchboard.Service.RateLimiting;

namespace Switchboard.Service.Admin;

/// <summary>
/// The admin API (docs/admin-api.md), under the hub's prefix, routes as in <see cref="AdminRoutes"/>, answers the records
/// of Switchboard.Contracts. Cluster-wide answers ask every Up member at once with one deadline and name the nodes that
/// did not answer; listings come a page at a time. Every call that changes state leaves an audit line (<see cref="AdminAudit"/>).
/// </summary>
public static class AdminEndpoints
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    internal static readonly string DeliveryPath = "/user/" + RegistryProtocol.DeliveryActorName;

    /// <summary>Maps the admin routes on <paramref name="admin"/>, a group that already requires the <c>admin</c> scope.</summary>
    public static void MapAdmin(this RouteGroupBuilder admin)
    {
        admin.MapGet(AdminRoutes.Cluster, ClusterView);
        admin.MapGet(AdminRoutes.ClusterEvents, AdminStreams.ClusterEventsAsync);
        admin.MapPost(AdminRoutes.ClusterLeave, LeaveAsync);
        admin.MapPost(AdminRoutes.ClusterDown, DownAsync);
        admin.MapPost(AdminRoutes.ClusterDownUnreachable, DownUnreachable);
        admin.MapPost(AdminRoutes.ClusterJoin, JoinAsync);
        admin.MapGet(AdminRoutes.Regions, () => Json(new RegionsView([UserRegion, GroupRegion])));
        admin.MapGet(AdminRoutes.RegionStats, RegionStatsAsync);
        admin.MapGet(AdminRoutes.ShardStats, ShardStatsAsync);
        admin.MapGet(AdminRoutes.Actors, ActorTree.Get);
        admin.MapGet(AdminRoutes.Connections, ConnectionsAsync);
        admin.MapGet(AdminRoutes.User, UserAsync);
        admin.MapGet(AdminRoutes.Groups, GroupsAsync);
        admin.MapGet(AdminRoutes.Group, GroupAsync);
        admin.MapPost(AdminRoutes.Kick, KickAsync);
        admin.MapPost(AdminRoutes.Drain, DrainAsync);
        admin.MapGet(AdminRoutes.RateLimit, RateLimitShow);
        admin.MapPut(AdminRoutes.RateLimit, RateLimitSetAsync);
        admin.MapGet(AdminRoutes.Namespaces, NamespaceEndpoints.ListAsync);
        admin.MapGet(AdminRoutes.Namespace, NamespaceEndpoints.ShowAsync);
        admin.MapGet(AdminRoutes.Hooks, HookEndpoints.ListAsync);
        admin.MapGet(AdminRoutes.Top, AdminStreams.TopAsync);
        admin.MapGet(AdminRoutes.Dashboard, AdminStreams.DashboardAsync);
    }

    public const string UserRegion = "user";
    public const string GroupRegion = "group";

    internal static IResult Json<T>(T body, int status = 200) => Results.Json(body, AdminJson.Options, statusCode: status);

    private static IResult Error(string code, string message, int status) => new ApiError(code, message).ToResult(status);

    // A name that breaks its rule (Names): 400, with the code and message every path gives.
    private static IResult Error(Streams.Json.FrameError invalid) => ApiError.Of(invalid).ToResult(400);

    // The cluster palette.

    private static IResult ClusterView(ActorSystem system) => Json(ViewOf(system));

    internal static ClusterView ViewOf(ActorSystem system)
    {
        var cluster = Cluster.Get(system);
        var state = cluster.State;
        var unreachable = state.Unreachable.Select(m => m.Address).ToHashSet();
        var members = state.Members.OrderBy(m => m.Address.ToString(), StringComparer.Ordinal).Select(m => new ClusterMember(
            m.Address.ToString(), m.Roles.Order(StringComparer.Ordinal).ToList(), ClusterEventFeed.StatusOf(m.Status),
            !unreachable.Contains(m.Address), m.AppVersion.ToString(), m.Address == state.Leader, m.Address == cluster.SelfAddress)).ToList();
        return new ClusterView(cluster.SelfAddress.ToString(), state.Leader?.ToString(), members);
    }

    private static async Task<IResult> LeaveAsync(HttpContext http, ActorSystem system)
    {
        var (address, failure) = await MemberAsync(http, system, selfWhenNull: true);
        if (failure is not null)
            return failure;
        Cluster.Get(system).Leave(address!);
        AdminAudit.Log(http, "leave", address!.ToString(), "leaving");
        return Json(new ActionResult(true, $"{address} is leaving the cluster"));
    }

    private static async Task<IResult> DownAsync(HttpContext http, ActorSystem system)
    {
        var (address, failure) = await MemberAsync(http, system, selfWhenNull: false);
        if (failure is not null)
            return failure;
        Cluster.Get(system).Down(address!);
        AdminAudit.Log(http, "down", address!.ToString(), "downed");
        return Json(new ActionResult(true, $"{address} is marked down"));
    }

    private static IResult DownUnreachable(HttpContext http, ActorSystem system)
    {
        var cluster = Cluster.Get(system);
        var unreachable = cluster.State.Unreachable.Select(m => m.Address).ToList();
        foreach (var address in unreachable)
            cluster.Down(address);
        var list = unreachable.Count == 0 ? "none" : string.Join(", ", unreachable);
        AdminAudit.Log(http, "down-unreachable", list, $"downed {unreachable.Count}");
        return Json(new ActionResult(unreachable.Count > 0, unreachable.Count == 0
            ? "no member is unreachable"
            : $"marked down: {list}"));
    }

    private static async Task<IResult> JoinAsync(HttpContext http, ActorSystem system)
    {
        var (request, failure) = await ReadAsync<MemberRequest>(http);
        if (failure is not null)
            return failure;
        if (ParseAddress(system, request?.Address) is not { } address)
            return Error("invalid_address", "name the node to join as \"host:port\" or \"akka.tcp://switchboard@host:port\"", 400);
        Cluster.Get(system).Join(address);
        AdminAudit.Log(http, "join", address.ToString(), "joining");
        return Json(new ActionResult(true, $"joining {address}"));
    }

    // The member the body names, which must be one this node knows; null in the body is this node when allowed.
    private static async Task<(Address? Address, IResult? Failure)> MemberAsync(HttpContext http, ActorSystem system, bool selfWhenNull)
    {
        var (request, failure) = await ReadAsync<MemberRequest>(http);
        if (failure is not null)
            return (null, failure);
        var cluster = Cluster.Get(system);
        if (request?.Address is null)
        {
            return selfWhenNull
                ? (cluster.SelfAddress, null)
                : (null, Error("missing_field", "name the member in \"address\"", 400));
        }
        if (FindMember(system, request.Address) is not { } member)
            return (null, Error("unknown_member", $"\"{request.Address}\" is not a member of this cluster", 404));
        return (member.Address, null);
    }

    internal static Member? FindMember(ActorSystem system, string address)
    {
        var parsed = ParseAddress(system, address);
        return Cluster.Get(system).State.Members.FirstOrDefault(m => m.Address == parsed);
    }

    /// <summary><c>akka.tcp://system@host:port</c>, or <c>host:port</c> in this node's protocol and system.</summary>
    internal static Address? ParseAddress(ActorSystem system, string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return null;
        text = text.Trim();
        try
        {
            if (text.Contains("://"))
                return Address.Parse(text);
            var colon = text.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(text[(colon + 1)..], out var port))
                return null;
            var self = Cluster.Get(system).SelfAddress;
            return new Address(self.Protocol, self.System, text[..colon], port);
        }
        catch (UriFormatException)
        {
            return null;
        }
    }

    // The sharding palette.

    private static async Task<IResult> RegionStatsAsync(string region, ActorSystem system)
    {
        if (RegionOf(region) is not { } actor)
            return UnknownRegion(region);
        var (stats, missing) = await ShardingStatsAsync(system, actor);
        return Json(new RegionStatsView(region, stats.Select(s => new NodeRegionStats(s.Node, s.Shards.Count, s.Shards.Values.Sum())).ToList(),
            missing));
    }

    private static async Task<IResult> ShardStatsAsync(string region, ActorSystem system)
    {
        if (RegionOf(region) is not { } actor)
            return UnknownRegion(region);
        var (stats, missing) = await ShardingStatsAsync(system, actor);
        return Json(new ShardStatsView(region, stats.Select(s => new NodeShardStats(s.Node,
            s.Shards.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => new ShardEntities(p.Key, p.Value)).ToList())).ToList(), missing));
    }

    private static IResult UnknownRegion(string region) =>
        Error("unknown_region", $"no region \"{region}\"; the regions are \"{UserRegion}\" and \"{GroupRegion}\"", 404);

    // The admin API's region names, and the names the regions run under.
    private static string? RegionOf(string region) => region switch
    {
        UserRegion => UserBucketEntityHostingExtensions.RegionName,
        GroupRegion => GroupEntityHostingExtensions.RegionName,
        _ => null,
    };

    // Each node's region is asked for its own stats (GetShardRegionStats), one request per node with the deadline, rather
    // than the coordinator for all (GetClusterShardingStats): a node that does not answer is then named, not just absent.
    private static async Task<(List<(string Node, IReadOnlyDictionary<string, int> Shards)> Stats, List<string> Missing)> ShardingStatsAsync(
        ActorSystem system, string region)
    {
        var members = ClusterGather.UpMembers(system);
        var answers = await Task.WhenAll(members.Select(async m =>
        {
            try
            {
                var stats = await system.ActorSelection(m.Address + "/system/sharding/" + region)
                    .Ask<ShardRegionStats>(GetShardRegionStats.Instance, ClusterGather.Deadline);
                return (Node: ClusterGather.NodeOf(m.Address), Shards: (IReadOnlyDictionary<string, int>?)stats.Stats);
            }
            catch (Exception e) when (e is AskTimeoutException or ActorNotFoundException or TaskCanceledException)
            {
                return (Node: ClusterGather.NodeOf(m.Address), Shards: null);
            }
        }));
        return (answers.Where(a => a.Shards is not null).Select(a => (a.Node, a.Shards!)).ToList(),
            answers.Where(a => a.Shards is null).Select(a => a.Node).ToList());
    }

    // The hub's own: connections, users and groups, asked of every node (its NodeConnections, which asks its partitions).

    private static async Task<IResult> ConnectionsAsync(ActorSystem system, string? user = null, string? node = null, int? limit = null,
        string? after = null)
    {
        if (LimitOf(limit) is not { } take)
            return BadLimit();
        if (user is not null && Names.Check(user, NameKind.UserId) is { } invalid)
            return Error(invalid);
        var member = ParseAddress(system, node);
        var members = ClusterGather.UpMembers(system, member is null ? null : ClusterGather.NodeOf(member));
        if (node is not null && (member is null || members.Count == 0))
            return Error("unknown_node", $"\"{node}\" is not an Up member (name it as host:port or by its address)", 404);
        var (lists, missing) = await ClusterGather.AskAllAsync<AdminProtocol.ConnectionList>(system, DeliveryPath,
            new AdminProtocol.ListConnections(user, after, take), members);
        var all = lists.SelectMany(l => l.Connections.Select(c => ToInfo(c, l.Node))).OrderBy(c => c.ConnectionId, StringComparer.Ordinal).ToList();
        var page = all.Take(take).ToList();
        var more = all.Count > take || lists.Any(l => l.More);
        return Json(new ConnectionPage(page, more && page.Count > 0 ? page[^1].ConnectionId : null, missing));
    }

    private static async Task<IResult> UserAsync(string id, ActorSystem system, ConnectionHub hub)
    {
        if (Names.Check(id, NameKind.UserId) is { } invalid)
            return Error(invalid);
        var (lists, missing) = await ClusterGather.AskAllAsync<AdminProtocol.ConnectionList>(system, DeliveryPath,
            new AdminProtocol.ListConnections(id, null, MaxLimit));
        var connections = lists.SelectMany(l => l.Connections.Select(c => ToInfo(c, l.Node)))
            .OrderBy(c => c.Node, StringComparer.Ordinal).ThenBy(c => c.ConnectionId, StringComparer.Ordinal).ToList();
        StreamView? stream = null;
        if (hub.Routing.HistoryOn)
        {
            var user = await hub.Routing.Users.Ask<UserProtocol.Connections>(new UserProtocol.GetConnections(id), ClusterGather.Deadline);
            stream = user.Stream is { } s ? new StreamView(s.Epoch, s.Seq, user.DeliveredSeq) : null;
        }
        return Json(new UserView(id, connections, missing, stream));
    }

    private static ConnectionInfo ToInfo(AdminProtocol.ConnectionEntry c, string node) => new(c.ConnectionId, c.UserId, node,
        c.RemoteAddress, DateTimeOffset.FromUnixTimeMilliseconds(c.ConnectedAtMs), c.Groups, c.MessagesIn, c.MessagesOut, c.OutboxDepth);

    private static async Task<IResult> GroupsAsync(ActorSystem system, ConnectionHub hub, int? limit = null, string? after = null)
    {
        if (LimitOf(limit) is not { } take)
            return BadLimit();
        var (lists, missing) = await ClusterGather.AskAllAsync<AdminProtocol.GroupList>(system, DeliveryPath,
            new AdminProtocol.ListGroups(after, take));
        var names = lists.SelectMany(l => l.Groups).Distinct().Order(StringComparer.Ordinal).ToList();
        var page = names.Take(take).ToList();
        var more = names.Count > take || lists.Any(l => l.More);
        var summaries = await GroupSizes.OfAsync(hub, page);
        return Json(new GroupPage(summaries, more && page.Count > 0 ? page[^1] : null, missing));
    }

    private static async Task<IResult> GroupAsync(string name, ConnectionHub hub)
    {
        if (Names.Check(name, NameKind.Group) is { } invalid)
            return Error(invalid);
        var members = await hub.Routing.Groups.Ask<GroupProtocol.Members>(new GroupProtocol.GetMembers(name), ClusterGather.Deadline);
        if (members.Connections == 0 && members.Stream is null)
            return Error("unknown_group", $"the group \"{name}\" has no members", 404);
        var presence = await GroupPresence.CountsAsync(hub, name, ClusterGather.Deadline);
        return Json(new GroupView(members.Group, members.Connections,
            members.Users.OrderBy(m => m.UserId, StringComparer.Ordinal).Select(m => new GroupMember(m.UserId, m.Connections)).ToList(),
            members.Stream is { } s ? new StreamView(s.Epoch, s.Seq) : null, presence));
    }

    // The largest close reason that fits a close frame: 125 bytes of payload less the two of the code.
    private const int MaxReasonBytes = 123;

    private static async Task<IResult> KickAsync(HttpContext http, ActorSystem system)
    {
        var (request, failure) = await ReadAsync<KickRequest>(http);
        if (failure is not null)
            return failure;
        if (request is null || (request.UserId is null == request.ConnectionId is null))
            return Error("invalid_field", "the body needs exactly one of \"user_id\" and \"connection_id\"", 400);
        var invalid = request.UserId is { } user ? Names.Check(user, NameKind.UserId) : Names.Check(request.ConnectionId, NameKind.ConnectionId);
        if (invalid is not null)
            return Error(invalid);
        var reason = ReasonOf(request.Reason);
        var by = AdminAudit.CallerOf(http);
        var (kicked, missing) = await ClusterGather.AskAllAsync<AdminProtocol.Kicked>(system, DeliveryPath,
            new AdminProtocol.Kick(request.UserId, request.ConnectionId, reason, by));
        var closed = kicked.Sum(k => k.Closed);
        var nodes = kicked.Where(k => k.Closed > 0).Select(k => k.Node).Order(StringComparer.Ordinal).ToList();
        AdminAudit.Log(http, "kick", request.UserId is null ? $"connection {request.ConnectionId}" : $"user {request.UserId}",
            $"closed {closed} on {(nodes.Count == 0 ? "no node" : string.Join(", ", nodes))}" +
            (missing.Count == 0 ? "" : $"; no answer from {string.Join(", ", missing)}"));
        return Json(new KickResult(closed, nodes, missing));
    }

    /// <summary>PROTOCOL.md's close reason of a kick: <c>kicked</c>, or <c>kicked: &lt;text&gt;</c>, cut to fit a close frame.</summary>
    public static string ReasonOf(string? text)
    {
        var reason = string.IsNullOrWhiteSpace(text) ? "kicked"
            : text.StartsWith("kicked", StringComparison.Ordinal) ? text.Trim() : "kicked: " + text.Trim();
        while (System.Text.Encoding.UTF8.GetByteCount(reason) > MaxReasonBytes)
            reason = reason[..^1];
        return reason;
    }

    private static async Task<IResult> DrainAsync(HttpContext http, ActorSystem system, NodeDrain drain)
    {
        var (request, failure) = await ReadAsync<MemberRequest>(http);
        if (failure is not null)
            return failure;
        var self = Cluster.Get(system).SelfAddress;
        var by = AdminAudit.CallerOf(http);
        if (request?.Address is null || ParseAddress(system, request.Address) == self)
        {
            var started = drain.Start();
            AdminAudit.Log(http, "drain", ClusterGather.NodeOf(self), started ? "started" : "already draining");
            return Json(new ActionResult(started, started
                ? $"{ClusterGather.NodeOf(self)} drains: its connections close with 1001, then it leaves the cluster"
                : $"{ClusterGather.NodeOf(self)} already drains"), started ? 202 : 409);
        }
        if (FindMember(system, request.Address) is not { } member)
            return Error("unknown_member", $"\"{request.Address}\" is not a member of this cluster", 404);
        // Forwarded to the node itself, which carries it out and logs it.
        var (answers, _) = await ClusterGather.AskAllAsync<AdminProtocol.DrainStarted>(system, AdminAgent.Path,
            new AdminProtocol.DrainNode(by), [member]);
        if (answers.Count == 0)
        {
            AdminAudit.Log(http, "drain", ClusterGather.NodeOf(member.Address), "no answer");
            return Error("no_answer", $"{ClusterGather.NodeOf(member.Address)} did not answer within {ClusterGather.Deadline.TotalSeconds} s", 504);
        }
        var answer = answers[0];
        AdminAudit.Log(http, "drain", answer.Node, answer.Started ? "forwarded, started" : "forwarded, already draining");
        return Json(new ActionResult(answer.Started, answer.Started
            ? $"{answer.Node} drains: its connections close with 1001, then it leaves the cluster"
            : $"{answer.Node} already drains"), answer.Started ? 202 : 409);
    }

    // The rate limiter: shown from this node, set here and on every other member through its admin agent.

    private static IResult RateLimitShow(IServiceProvider services) =>
        services.GetService(typeof(RateLimiter)) is RateLimiter limiter ? Json(ViewOf(limiter)) : RateLimiterOff();

    private static async Task<IResult> RateLimitSetAsync(HttpContext http, ActorSystem system, ConnectionHub hub)
    {
        if (http.RequestServices.GetService(typeof(RateLimiter)) is not RateLimiter limiter)
            return RateLimiterOff();
        var (view, failure) = await ReadAsync<RateLimitView>(http);
        if (failure is not null)
            return failure;
        if (view is null)
            return Error("missing_field", "the body is a rate limit: {\"rate\":\"200-M\",\"per_route_rates\":{...}}", 400);
        var options = limiter.Policy.Options with
        {
            Rate = string.IsNullOrWhiteSpace(view.Rate) ? null : view.Rate,
            PerRouteRates = new Dictionary<string, string>(view.PerRouteRates ?? new Dictionary<string, string>()),
        };
        var target = $"rate {options.Rate ?? "off"}, per route {(options.PerRouteRates.Count == 0 ? "none" : string.Join(", ", options.PerRouteRates.Select(p => $"{p.Key}={p.Value}")))}";
        try
        {
            // UpdateConfig also reaches the nodes that share a Redis store; the publish reaches every node of this cluster.
            limiter.UpdateConfig(options);
        }
        catch (FormatException e)
        {
            AdminAudit.Log(http, "ratelimit-set", target, "refused: " + e.Message);
            return Error("invalid_rate", e.Message, 400);
        }
        // Asked of every other member with a deadline, not published: a publish reaches only the subscriptions that
        // pub-sub has gossiped so far, and says nothing of a node that missed it.
        var self = Cluster.Get(system).SelfAddress;
        var others = ClusterGather.UpMembers(system).Where(m => m.Address != self).ToList();
        var (answers, unanswered) = await ClusterGather.AskAllAsync<AdminProtocol.RateLimitApplied>(system, AdminAgent.Path,
            new AdminProtocol.RateLimitUpdate(JsonSerializer.Serialize(options), hub.Node, AdminAudit.CallerOf(http)), others);
        var missing = unanswered.Concat(answers.Where(a => !a.Applied).Select(a => a.Node)).Order(StringComparer.Ordinal).ToList();
        AdminAudit.Log(http, "ratelimit-set", target, missing.Count == 0
            ? $"applied here and on {answers.Count} other nodes"
            : $"applied here and on {answers.Count(a => a.Applied)} other nodes; not on {string.Join(", ", missing)}");
        return Json(ViewOf(limiter) with { MissingNodes = missing });
    }

    private static RateLimitView ViewOf(RateLimiter limiter) => new(limiter.Policy.Options.Rate,
        new SortedDictionary<string, string>(limiter.Policy.Options.PerRouteRates, StringComparer.Ordinal));

    private static IResult RateLimiterOff() =>
        Error("not_configured", "this node runs without the rate limiter (AddSwitchboardRateLimiter)", 404);

    // Helpers.

    private static int? LimitOf(int? limit) => limit switch
    {
        null => DefaultLimit,
        >= 1 and <= MaxLimit => limit,
        _ => null,
    };

    private static IResult BadLimit() => Error("invalid_limit", $"limit is 1 to {MaxLimit}", 400);

    /// <summary>The body as <typeparamref name="T"/>; default for an empty body; a 400 or 413 for a bad one.</summary>
    internal static async Task<(T? Body, IResult? Failure)> ReadAsync<T>(HttpContext http) where T : class
    {
        var (bytes, refused) = await RequestBody.ReadAsync(http.Request);
        if (bytes is null)
            return (null, refused);
        if (bytes.All(b => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
            return (null, null);
        try
        {
            return (JsonSerializer.Deserialize<T>(bytes, AdminJson.Options), null);
        }
        catch (JsonException e)
        {
            return (null, Error("invalid_json", $"the body is not a {typeof(T).Name}: {e.Message}", 400));
        }
    }
}

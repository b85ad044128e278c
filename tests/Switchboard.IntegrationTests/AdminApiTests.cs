using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Switchboard.Contracts;
using Switchboard.IntegrationTests.Support;

namespace Switchboard.IntegrationTests;

/// <summary>The admin API (docs/admin-api.md) on one in-process node, with its answers read as the Contracts records.</summary>
public sealed class AdminApiTests : IAsyncLifetime
{
    private readonly CapturedLogs _logs = new();
    private SwitchboardServer _server = null!;

    // Protected mode (no key configured): the test's loopback calls have every scope. The rate limiter runs, off until set.
    public async Task InitializeAsync() =>
        _server = await SwitchboardServer.StartAsync(rateLimiter: o => o, logging: l => l.AddProvider(_logs).AddFilter("Switchboard.Audit", LogLevel.Information));

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static string Unique(string name) => $"{name}-{Guid.NewGuid():N}"[..20];

    private Task<Client> ConnectAsync(string query) => Client.ConnectAsync(_server.WebSocketUri(query));

    private Task<T> GetAsync<T>(string route) => AdminClient.GetAsync<T>(_server.Http, "/ws" + route);

    [Fact]
    public async Task Cluster_view_lists_this_node_up_leader_and_self()
    {
        var view = await GetAsync<ClusterView>(AdminRoutes.Cluster);
        var member = Assert.Single(view.Members);
        Assert.Equal("Up", member.Status);
        Assert.True(member.Reachable);
        Assert.True(member.IsSelf);
        Assert.True(member.IsLeader);
        Assert.Equal(view.Self, member.Address);
        Assert.Equal(view.Self, view.Leader);
    }

    [Fact]
    public async Task Sharding_palette_names_both_regions_and_counts_a_users_entity()
    {
        var user = Unique("sharded");
        await using var client = await ConnectAsync($"user_id={user}&groups={Unique("g")}");
        var regions = await GetAsync<RegionsView>(AdminRoutes.Regions);
        Assert.Equal(["user", "group"], regions.Regions);

        foreach (var region in regions.Regions)
        {
            // The connection's entities start on the messages its connect sends, a moment after the welcome.
            RegionStatsView stats = null!;
            await Eventually.TrueAsync(async () =>
            {
                stats = await GetAsync<RegionStatsView>(AdminRoutes.RegionStats.Replace("{region}", region));
                return stats.Nodes.Count == 1 && stats.Nodes[0].Entities >= 1;
            }, $"the {region} region counts the connection's entity");
            Assert.Equal(region, stats.Region);
            Assert.Empty(stats.MissingNodes);
            var node = Assert.Single(stats.Nodes);
            Assert.Equal(_server.Hub.Node, node.Node);
            Assert.True(node.Shards >= 1, $"{region}: {node}");

            var shards = await GetAsync<ShardStatsView>(AdminRoutes.ShardStats.Replace("{region}", region));
            Assert.Equal(node.Entities, Assert.Single(shards.Nodes).Shards.Sum(s => s.Entities));
        }
        var unknown = await _server.Http.GetAsync("/ws" + AdminRoutes.RegionStats.Replace("{region}", "nope"));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("unknown_region", (await unknown.Content.ReadFromJsonAsync<ErrorBody>(AdminJson.Options))!.Error);
    }

    [Fact]
    public async Task Actor_hierarchy_shows_the_nodes_actors_to_the_depth_asked()
    {
        var tree = await GetAsync<ActorNode>(AdminRoutes.Actors + "?depth=1");
        Assert.Equal("/user", tree.Path);
        Assert.Contains(tree.Children, c => c.Path == "/user/delivery");
        Assert.Contains(tree.Children, c => c.Path == "/user/admin");
        Assert.All(tree.Children, c => Assert.Empty(c.Children));

        Assert.Contains(tree.Children, c => c.Path == "/user/connections-0");

        var partition = await GetAsync<ActorNode>(AdminRoutes.Actors + "?path=/user/connections-0&depth=1");
        Assert.Equal("/user/connections-0", partition.Path);
        Assert.Empty(partition.Children);
    }

    [Fact]
    public async Task Connections_list_by_user_pages_through_each_connection_once()
    {
        var (user, group) = (Unique("paged"), Unique("room"));
        var clients = new List<Client>();
        for (var i = 0; i < 3; i++)
            clients.Add(await ConnectAsync($"user_id={user}&groups={group}"));
        await clients[0].SendAsync($$"""{"type":"chat","to":"{{user}}","data":1}""");
        try
        {
            var seen = new List<ConnectionInfo>();
            string? after = null;
            do
            {
                var page = await GetAsync<ConnectionPage>($"{AdminRoutes.Connections}?user={user}&limit=2" + (after is null ? "" : $"&after={after}"));
                Assert.Empty(page.MissingNodes);
                Assert.InRange(page.Connections.Count, 1, 2);
                seen.AddRange(page.Connections);
                after = page.Next;
            } while (after is not null);

            Assert.Equal(clients.Select(c => c.ConnectionId).Order(StringComparer.Ordinal), seen.Select(c => c.ConnectionId));
            Assert.All(seen, c =>
            {
                Assert.Equal(user, c.UserId);
                Assert.Equal(_server.Hub.Node, c.Node);
                Assert.Equal([group], c.Groups);
                Assert.Equal("127.0.0.1", c.RemoteAddress);
            });
            // The chat reached every connection of the user, the sender's too: each counts it.
            await Eventually.TrueAsync(async () =>
            {
                var view = await GetAsync<UserView>(AdminRoutes.User.Replace("{id}", user));
                return view.Connections.Count == 3 && view.Connections.All(c => c.MessagesOut >= 2)
                       && view.Connections.Single(c => c.ConnectionId == clients[0].ConnectionId).MessagesIn == 1;
            }, "every connection counts its messages");
        }
        finally
        {
            foreach (var client in clients)
                await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task Groups_page_and_a_group_lists_its_members()
    {
        var (alice, bob, group) = (Unique("alice"), Unique("bob"), Unique("grp"));
        await using var a1 = await ConnectAsync($"user_id={alice}&groups={group}");
        await using var a2 = await ConnectAsync($"user_id={alice}&groups={group}");
        await using var b = await ConnectAsync($"user_id={bob}&groups={group}");

        var view = await GetAsync<GroupView>(AdminRoutes.Group.Replace("{name}", group));
        Assert.Equal(3, view.Connections);
        Assert.Equal([new GroupMember(alice, 2), new GroupMember(bob, 1)], view.Members);

        var before = group[..^1]; // sorts just before the group's name
        var page = await GetAsync<GroupPage>($"{AdminRoutes.Groups}?limit=1&after={before}");
        Assert.Equal(new GroupSummary(group, 2, 3), Assert.Single(page.Groups));

        var missing = await _server.Http.GetAsync("/ws" + AdminRoutes.Group.Replace("{name}", Unique("empty")));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        var badLimit = await _server.Http.GetAsync($"/ws{AdminRoutes.Groups}?limit=0");
        Assert.Equal(HttpStatusCode.BadRequest, badLimit.StatusCode);
    }

    [Fact]
    public async Task Kick_closes_a_users_connections_with_1008_kicked_and_audits_it()
    {
        var user = Unique("kicked");
        await using var first = await ConnectAsync($"user_id={user}");
        await using var second = await ConnectAsync($"user_id={user}");
        await using var other = await ConnectAsync($"user_id={Unique("stays")}");

        var result = await AdminClient.PostAsync<KickResult>(_server.Http, "/ws" + AdminRoutes.Kick, new KickRequest(user, null, null));
        Assert.Equal(2, result.Closed);
        Assert.Equal([_server.Hub.Node], result.Nodes);
        foreach (var client in new[] { first, second })
        {
            Assert.Equal(WebSocketCloseStatus.PolicyViolation, await client.ReceiveCloseAsync());
            Assert.Equal("kicked", client.Socket.CloseStatusDescription);
        }
        await other.SendAsync("""{"type":"ping"}""");
        Assert.Equal("pong", (await other.ReceiveAsync()).GetProperty("type").GetString());
        await Eventually.TrueAsync(() => _logs.Lines.Any(l => l.Contains($"Audit: kick by loopback target user {user}: closed 2")),
            "the kick's audit line is logged");
    }

    [Fact]
    public async Task Kick_of_one_connection_closes_it_with_the_operators_text()
    {
        var user = Unique("one");
        await using var kept = await ConnectAsync($"user_id={user}");
        await using var kicked = await ConnectAsync($"user_id={user}");

        var result = await AdminClient.PostAsync<KickResult>(_server.Http, "/ws" + AdminRoutes.Kick,
            new KickRequest(null, kicked.ConnectionId, "spam"));
        Assert.Equal(1, result.Closed);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await kicked.ReceiveCloseAsync());
        Assert.Equal("kicked: spam", kicked.Socket.CloseStatusDescription);
        Assert.Single((await GetAsync<UserView>(AdminRoutes.User.Replace("{id}", user))).Connections, c => c.ConnectionId == kept.ConnectionId);

        var both = await _server.Http.PostAsJsonAsync("/ws" + AdminRoutes.Kick, new KickRequest(user, kept.ConnectionId, null), AdminJson.Options);
        Assert.Equal(HttpStatusCode.BadRequest, both.StatusCode);
    }

    [Fact]
    public async Task Rate_limit_set_takes_effect_and_show_reads_it_back()
    {
        var shown = await GetAsync<RateLimitView>(AdminRoutes.RateLimit);
        Assert.Null(shown.Rate);

        var set = await AdminClient.PutAsync<RateLimitView>(_server.Http, "/ws" + AdminRoutes.RateLimit,
            new RateLimitView(null, new Dictionary<string, string> { ["/ws/health/live"] = "1-M" }));
        Assert.Equal("1-M", set.PerRouteRates["/ws/health/live"]);
        Assert.Equal(set.PerRouteRates, (await GetAsync<RateLimitView>(AdminRoutes.RateLimit)).PerRouteRates);

        Assert.Equal(HttpStatusCode.OK, (await _server.Http.GetAsync("/ws/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await _server.Http.GetAsync("/ws/health/live")).StatusCode);

        var bad = await _server.Http.PutAsJsonAsync("/ws" + AdminRoutes.RateLimit, new RateLimitView("lots", new Dictionary<string, string>()),
            AdminJson.Options);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains(_logs.Lines, l => l.Contains("Audit: ratelimit-set by loopback target rate off, per route /ws/health/live=1-M: applied"));
    }

    [Fact]
    public async Task Cluster_events_stream_the_current_members_as_server_sent_events()
    {
        var (contentType, first) = await AdminClient.FirstEventAsync<ClusterEvent>(_server.Http, "/ws" + AdminRoutes.ClusterEvents);
        Assert.Equal("text/event-stream", contentType);
        Assert.Equal("member_up", first.Type);
        Assert.Equal((await GetAsync<ClusterView>(AdminRoutes.Cluster)).Self, first.Address);
    }

    [Fact]
    public async Task Top_streams_a_sample_of_this_node_with_totals()
    {
        await using var client = await ConnectAsync($"user_id={Unique("top")}");
        var (contentType, sample) = await AdminClient.FirstEventAsync<TopSample>(_server.Http, "/ws" + AdminRoutes.Top);
        Assert.Equal("text/event-stream", contentType);
        var node = Assert.Single(sample.Nodes);
        Assert.Equal(_server.Hub.Node, node.Node);
        Assert.Equal("Up", node.Status);
        Assert.True(node.Connections >= 1);
        Assert.True(node.MemoryBytes > 0);
        Assert.Equal(node.Connections, sample.Totals.Connections);
        Assert.Empty(sample.MissingNodes);
    }

    [Fact]
    public async Task Down_of_an_unknown_member_is_404_and_down_unreachable_has_nothing_to_do()
    {
        var unknown = await _server.Http.PostAsJsonAsync("/ws" + AdminRoutes.ClusterDown, new MemberRequest("127.0.0.1:1"), AdminJson.Options);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        var none = await AdminClient.PostAsync<ActionResult>(_server.Http, "/ws" + AdminRoutes.ClusterDownUnreachable, null);
        Assert.False(none.Done);
    }
}

/// <summary>The admin scope on a node with keys: only a key with <c>admin</c> reaches the admin API.</summary>
public sealed class AdminApiScopeTests(KeyedServerFixture keyed, ServerFixture unkeyed)
    : IClassFixture<KeyedServerFixture>, IClassFixture<ServerFixture>
{
    public static TheoryData<string> Routes => new()
    {
        AdminRoutes.Cluster, AdminRoutes.Regions, AdminRoutes.Actors, AdminRoutes.Connections, AdminRoutes.Groups, AdminRoutes.RateLimit,
        AdminRoutes.User.Replace("{id}", "x"), AdminRoutes.RegionStats.Replace("{region}", "user"),
    };

    private static async Task<HttpStatusCode> StatusAsync(SwitchboardServer server, string route, string? key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/ws" + route);
        if (key is not null)
            request.Headers.Authorization = new("Bearer", key);
        return (await server.Http.SendAsync(request)).StatusCode;
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Only_an_admin_key_is_served(string route)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(keyed.Server, route, null));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(keyed.Server, route, KeyedServerFixture.Reader));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(keyed.Server, route, KeyedServerFixture.Impersonator));
        // Served: the answer, or the route's own refusal (this node runs without the rate limiter: 404 not_configured).
        var status = await StatusAsync(keyed.Server, route, KeyedServerFixture.Operator);
        Assert.True(status is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden), $"{route}: {status}");
    }

    [Fact]
    public async Task A_post_without_admin_changes_nothing()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/ws" + AdminRoutes.ClusterLeave);
        request.Content = JsonContent.Create(new { });
        request.Headers.Authorization = new("Bearer", KeyedServerFixture.Publisher);
        Assert.Equal(HttpStatusCode.Forbidden, (await keyed.Server.Http.SendAsync(request)).StatusCode);
        Assert.Equal("Up", Assert.Single((await AdminClient.GetAsync<ClusterView>(keyed.Server.Http, "/ws" + AdminRoutes.Cluster,
            KeyedServerFixture.Operator)).Members).Status);
    }

    [Fact]
    public async Task Protected_mode_serves_loopback_and_refuses_a_forwarded_caller()
    {
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(unkeyed.Server, AdminRoutes.Cluster, null));
        using var forwarded = new HttpRequestMessage(HttpMethod.Get, "/ws" + AdminRoutes.Cluster);
        forwarded.Headers.Add("X-Forwarded-For", "203.0.113.9");
        Assert.Equal(HttpStatusCode.Unauthorized, (await unkeyed.Server.Http.SendAsync(forwarded)).StatusCode);
    }
}

/// <summary>Calls of the admin API as the CLI makes them: the Contracts records as snake_case JSON.</summary>
public static class AdminClient
{
    private static HttpRequestMessage Request(HttpMethod method, string path, object? body, string? key)
    {
        var request = new HttpRequestMessage(method, path);
        // As sbctl: a change is JSON, {} when it has no body (docs/security.md, Cross-site requests).
        if (body is not null || method != HttpMethod.Get)
            request.Content = new StringContent(body is null ? "{}" : JsonSerializer.Serialize(body, AdminJson.Options), Encoding.UTF8, "application/json");
        if (key is not null)
            request.Headers.Authorization = new("Bearer", key);
        return request;
    }

    private static async Task<T> SendAsync<T>(HttpClient http, HttpRequestMessage request)
    {
        using (request)
        {
            var response = await http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"{request.Method} {request.RequestUri}: {(int)response.StatusCode} {text}");
            return JsonSerializer.Deserialize<T>(text, AdminJson.Options)!;
        }
    }

    public static Task<T> GetAsync<T>(HttpClient http, string path, string? key = null) =>
        SendAsync<T>(http, Request(HttpMethod.Get, path, null, key));

    public static Task<T> PostAsync<T>(HttpClient http, string path, object? body, string? key = null) =>
        SendAsync<T>(http, Request(HttpMethod.Post, path, body, key));

    public static Task<T> PutAsync<T>(HttpClient http, string path, object? body, string? key = null) =>
        SendAsync<T>(http, Request(HttpMethod.Put, path, body, key));

    /// <summary>Opens a server-sent event stream and reads its first event.</summary>
    public static async Task<(string? ContentType, T First)> FirstEventAsync<T>(HttpClient http, string path)
    {
        await foreach (var (contentType, e) in EventsAsync<T>(http, path))
            return (contentType, e);
        throw new InvalidOperationException("the stream ended without an event");
    }

    public static async IAsyncEnumerable<(string? ContentType, T Event)> EventsAsync<T>(HttpClient http, string path, string? key = null)
    {
        using var guard = new CancellationTokenSource(Eventually.Deadline);
        using var request = Request(HttpMethod.Get, path, null, key);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, guard.Token);
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode}");
        var contentType = response.Content.Headers.ContentType?.MediaType;
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(guard.Token));
        while (await reader.ReadLineAsync(guard.Token) is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal))
                yield return (contentType, JsonSerializer.Deserialize<T>(line["data: ".Length..], AdminJson.Options)!);
        }
    }
}

/// <summary>The admin API on three real node processes: answers gathered from every node, actions carried out on each.</summary>
[Collection(ClusterCollection.Name)]
public sealed class AdminApiClusterTests(ClusterTests.ThreeNodes cluster)
{
    private static string Unique(string name) => $"{name}-{Guid.NewGuid():N}"[..20];

    private static HttpClient Http(ServiceProcess node) => new() { BaseAddress = node.BaseUri };

    private static Task<Client> ConnectAsync(ServiceProcess node, string query) =>
        Client.ConnectAsync(new Uri($"ws://{node.BaseUri.Authority}/ws?{query}"));

    internal static async Task<T> GetAsync<T>(ServiceProcess node, string route)
    {
        using var http = Http(node);
        return await AdminClient.GetAsync<T>(http, "/ws" + route);
    }

    /// <summary>The node's name as the admin API gives it (<c>host:port</c> of its cluster address).</summary>
    internal static async Task<string> NodeNameAsync(ServiceProcess node)
    {
        var self = (await GetAsync<ClusterView>(node, AdminRoutes.Cluster)).Self;
        return self[(self.LastIndexOf('@') + 1)..];
    }

    [Fact]
    public async Task Cluster_view_lists_three_up_members_from_any_node()
    {
        foreach (var node in cluster.Nodes)
        {
            var view = await GetAsync<ClusterView>(node, AdminRoutes.Cluster);
            Assert.Equal(3, view.Members.Count);
            Assert.All(view.Members, m => Assert.Equal(("Up", true), (m.Status, m.Reachable)));
            Assert.Equal(view.Self, Assert.Single(view.Members, m => m.IsSelf).Address);
            Assert.Equal(view.Leader, Assert.Single(view.Members, m => m.IsLeader).Address);
        }
    }

    [Fact]
    public async Task Region_stats_list_the_user_and_group_regions_of_every_node()
    {
        var names = await Task.WhenAll(cluster.Nodes.Select(NodeNameAsync));
        var clients = await Task.WhenAll(cluster.Nodes.Select(n => ConnectAsync(n, $"user_id={Unique("region")}&groups={Unique("g")}")));
        try
        {
            foreach (var region in new[] { "user", "group" })
            {
                await Eventually.TrueAsync(async () =>
                {
                    var stats = await GetAsync<RegionStatsView>(cluster.Nodes[0], AdminRoutes.RegionStats.Replace("{region}", region));
                    Assert.Equal(region, stats.Region);
                    Assert.Empty(stats.MissingNodes);
                    Assert.Equal(names.Order(StringComparer.Ordinal), stats.Nodes.Select(n => n.Node).Order(StringComparer.Ordinal));
                    return stats.Nodes.Sum(n => n.Entities) >= 3;
                }, $"the {region} region counts an entity per connection's user or group");
                var shards = await GetAsync<ShardStatsView>(cluster.Nodes[1], AdminRoutes.ShardStats.Replace("{region}", region));
                Assert.Equal(3, shards.Nodes.Count);
            }
        }
        finally
        {
            foreach (var client in clients)
                await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task One_users_connections_on_three_nodes_are_listed_and_kicked_with_1008()
    {
        var user = Unique("everywhere");
        var names = await Task.WhenAll(cluster.Nodes.Select(NodeNameAsync));
        var clients = await Task.WhenAll(cluster.Nodes.Select(n => ConnectAsync(n, $"user_id={user}")));
        try
        {
            var page = await GetAsync<ConnectionPage>(cluster.Nodes[0], $"{AdminRoutes.Connections}?user={user}");
            Assert.Empty(page.MissingNodes);
            Assert.Null(page.Next);
            Assert.Equal(clients.Select(c => c.ConnectionId).Order(StringComparer.Ordinal),
                page.Connections.Select(c => c.ConnectionId).Order(StringComparer.Ordinal));
            Assert.Equal(names.Order(StringComparer.Ordinal), page.Connections.Select(c => c.Node).Order(StringComparer.Ordinal));

            var onOne = await GetAsync<ConnectionPage>(cluster.Nodes[0], $"{AdminRoutes.Connections}?user={user}&node={names[2]}");
            Assert.Equal(clients[2].ConnectionId, Assert.Single(onOne.Connections).ConnectionId);
            var view = await GetAsync<UserView>(cluster.Nodes[1], AdminRoutes.User.Replace("{id}", user));
            Assert.Equal(3, view.Connections.Count);

            using var http = Http(cluster.Nodes[0]);
            var kicked = await AdminClient.PostAsync<KickResult>(http, "/ws" + AdminRoutes.Kick, new KickRequest(user, null, null));
            Assert.Equal(3, kicked.Closed);
            Assert.Equal(names.Order(StringComparer.Ordinal), kicked.Nodes);
            foreach (var client in clients)
            {
                Assert.Equal(WebSocketCloseStatus.PolicyViolation, await client.ReceiveCloseAsync());
                Assert.Equal("kicked", client.Socket.CloseStatusDescription);
            }
            // Each node that closed a connection logs it, with the caller's name (protected mode: loopback).
            for (var i = 0; i < 3; i++)
            {
                var node = cluster.Nodes[i];
                var name = names[i];
                await Eventually.TrueAsync(() => node.Output.Contains($"Audit: kick by loopback target user {user} on {name}: closed 1"),
                    $"{name} logs its part of the kick");
            }
        }
        finally
        {
            foreach (var client in clients)
                await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task Rate_limit_set_on_one_node_takes_effect_on_every_node()
    {
        const string route = "/ws/health/live";
        using var http = Http(cluster.Nodes[0]);
        await AdminClient.PutAsync<RateLimitView>(http, "/ws" + AdminRoutes.RateLimit,
            new RateLimitView(null, new Dictionary<string, string> { [route] = "1-H" }));
        try
        {
            foreach (var node in cluster.Nodes)
            {
                await Eventually.TrueAsync(async () =>
                    (await GetAsync<RateLimitView>(node, AdminRoutes.RateLimit)).PerRouteRates.GetValueOrDefault(route) == "1-H",
                    "every node has the new rate");
                using var client = Http(node);
                Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(route)).StatusCode);
                Assert.Equal(HttpStatusCode.TooManyRequests, (await client.GetAsync(route)).StatusCode);
            }
            Assert.Contains("Audit: ratelimit-set by loopback target rate off, per route /ws/health/live=1-H: applied here", cluster.Nodes[0].Output);
            Assert.Contains("Audit: ratelimit-set by loopback target", cluster.Nodes[2].Output);
        }
        finally
        {
            await AdminClient.PutAsync<RateLimitView>(http, "/ws" + AdminRoutes.RateLimit, new RateLimitView(null, new Dictionary<string, string>()));
        }
    }

    [Fact]
    public async Task Cluster_events_and_top_stream_from_a_node()
    {
        using var http = Http(cluster.Nodes[1]);
        var (type, first) = await AdminClient.FirstEventAsync<ClusterEvent>(http, "/ws" + AdminRoutes.ClusterEvents);
        Assert.Equal("text/event-stream", type);
        Assert.Equal("member_up", first.Type);

        var (_, sample) = await AdminClient.FirstEventAsync<TopSample>(http, "/ws" + AdminRoutes.Top);
        Assert.Equal(3, sample.Nodes.Count);
        Assert.Empty(sample.MissingNodes);
        Assert.All(sample.Nodes, n => Assert.Equal("Up", n.Status));
        Assert.Equal(sample.Nodes.Sum(n => n.Connections), sample.Totals.Connections);
    }
}

/// <summary>Admin actions that take a node away, each on a three-node cluster of its own.</summary>
[Collection(ClusterCollection.Name)]
public sealed class AdminApiNodeActionTests
{
    [Fact]
    public async Task Drain_of_another_node_sends_its_clients_1001_and_it_leaves_and_exits_0()
    {
        var nodes = await ClusterTests.ThreeNodes.StartAsync(3);
        try
        {
            var target = nodes[2];
            var name = await AdminApiClusterTests.NodeNameAsync(target);
            await using var client = await Client.ConnectAsync(new Uri($"ws://{target.BaseUri.Authority}/ws?user_id=drained"));

            using var http = new HttpClient { BaseAddress = nodes[0].BaseUri };
            var result = await AdminClient.PostAsync<ActionResult>(http, "/ws" + AdminRoutes.Drain, new MemberRequest(name));
            Assert.True(result.Done, result.Message);

            Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, await client.ReceiveCloseAsync());
            Assert.Equal(0, await target.WaitForExitAsync());
            await Eventually.TrueAsync(async () =>
                (await AdminApiClusterTests.GetAsync<ClusterView>(nodes[0], AdminRoutes.Cluster)).Members.Count == 2,
                "the drained node has left the cluster");
            Assert.Contains($"Audit: drain by loopback target {name}: started", target.Output);
            Assert.Contains($"Audit: drain by loopback target {name}: forwarded, started", nodes[0].Output);
        }
        finally
        {
            foreach (var node in nodes)
                await node.DisposeAsync();
        }
    }

    [Fact]
    public async Task Sbctls_leave_without_an_address_takes_the_node_asked_out_its_clients_get_1001_and_it_exits_0()
    {
        var nodes = await ClusterTests.ThreeNodes.StartAsync(2);
        try
        {
            var leaving = nodes[1];
            await using var client = await Client.ConnectAsync(new Uri($"ws://{leaving.BaseUri.Authority}/ws?user_id=leaving"));

            var run = await Sbctl.RunAsync("--node", leaving.BaseUri.ToString(), "cluster", "leave", "--yes", "--json");
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.True(run.Json().GetProperty("done").GetBoolean(), run.ToString());

            Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, await client.ReceiveCloseAsync());
            Assert.Equal("node leaving the cluster", client.Socket.CloseStatusDescription);
            Assert.Equal(0, await leaving.WaitForExitAsync());
            await Eventually.TrueAsync(async () =>
                (await AdminApiClusterTests.GetAsync<ClusterView>(nodes[0], AdminRoutes.Cluster)).Members.Count == 1,
                "the node that left is gone from the cluster");
        }
        finally
        {
            foreach (var node in nodes)
                await node.DisposeAsync();
        }
    }

    [Fact]
    public async Task Down_of_a_killed_node_removes_it()
    {
        var nodes = await ClusterTests.ThreeNodes.StartAsync(3);
        try
        {
            var name = await AdminApiClusterTests.NodeNameAsync(nodes[2]);
            await nodes[2].DisposeAsync(); // killed, not stopped: it never says goodbye
            await Eventually.TrueAsync(async () =>
                (await AdminApiClusterTests.GetAsync<ClusterView>(nodes[0], AdminRoutes.Cluster)).Members
                .Any(m => m.Address.EndsWith("@" + name, StringComparison.Ordinal) && !m.Reachable),
                "the killed node is unreachable");

            using var http = new HttpClient { BaseAddress = nodes[0].BaseUri };
            var result = await AdminClient.PostAsync<ActionResult>(http, "/ws" + AdminRoutes.ClusterDown, new MemberRequest(name));
            Assert.True(result.Done, result.Message);
            await Eventually.TrueAsync(async () =>
                (await AdminApiClusterTests.GetAsync<ClusterView>(nodes[1], AdminRoutes.Cluster)).Members.Count == 2,
                "the downed node is removed");
            Assert.Contains($"Audit: down by loopback target akka.tcp://switchboard@{name}: downed", nodes[0].Output);
        }
        finally
        {
            foreach (var node in nodes)
                await node.DisposeAsync();
        }
    }
}

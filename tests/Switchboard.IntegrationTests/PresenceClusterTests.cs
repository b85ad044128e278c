using System.Net;
using System.Text;
using System.Text.Json;
using Switchboard.IntegrationTests.Support;
using Xunit.Abstractions;

namespace Switchboard.IntegrationTests;

/// <summary>
/// Three node processes that loaded namespaces (PROTOCOL.md "Namespaces", "Presence"): each namespace has one rule, so a
/// test of it shows the rule and that groups elsewhere keep the defaults. Each node also reads a settings file of its own
/// (namespace <c>reload</c>, which a test edits), and holds a user to 2 connections in the whole cluster (the test of that
/// bound shares the nodes; no other test here opens more than 2 of one user).
/// </summary>
public sealed class NamespacedCluster : IAsyncLifetime
{
    /// <summary>How long a user's last leave waits for a return: the tests that wait it out stay short.</summary>
    public const int LeaveDelaySeconds = 2;

    public static readonly IReadOnlyDictionary<string, string> Settings = new Dictionary<string, string>
    {
        ["Namespaces__Strict"] = "true",
        ["Namespaces__Rules__room__Presence"] = "true",
        ["Namespaces__Rules__room__PresenceEvents"] = "true",
        ["Namespaces__Rules__big__Presence"] = "true",
        ["Namespaces__Rules__feed__ClientPublish"] = "none",
        ["Namespaces__Rules__club__ClientPublish"] = "members",
        ["Namespaces__Rules__cap__MaxMembers"] = "3",
        ["Presence__LeaveDelay"] = LeaveDelaySeconds.ToString(),
    };

    public List<ServiceProcess> Nodes { get; } = [];

    /// <summary>Each node's content root, where it reads and watches appsettings.json.</summary>
    public string[] Roots { get; } = Enumerable.Range(0, 3).Select(_ => Directory.CreateTempSubdirectory("switchboard-ns").FullName).ToArray();

    public static string ReloadRules(string options) => """{"Namespaces":{"Rules":{"reload":""" + options + "}}}";

    public async Task InitializeAsync()
    {
        foreach (var root in Roots)
            await File.WriteAllTextAsync(Path.Combine(root, "appsettings.json"), ReloadRules("{}"));
        Nodes.AddRange(await ClusterTests.ThreeNodes.StartAsync(3, settings: i => new Dictionary<string, string>(Settings)
        {
            ["ASPNETCORE_CONTENTROOT"] = Roots[i],
            ["WEBSOCKET_MAX_CONNECTIONS_PER_USER"] = "2",
            ["WEBSOCKET_MAX_CONNECTIONS_PER_USER_SCOPE"] = "cluster",
        }));
    }

    public async Task DisposeAsync()
    {
        foreach (var node in Nodes)
            await node.DisposeAsync();
    }
}

[Collection(ClusterCollection.Name)]
public sealed class PresenceClusterTests(NamespacedCluster cluster) : IClassFixture<NamespacedCluster>
{
    private ServiceProcess Node(int i) => cluster.Nodes[i];

    private static string Unique(string prefix) => $"{prefix}{Guid.NewGuid():N}"[..(prefix.Length + 10)];

    private Task<Client> ConnectAsync(int node, string user, string? groups = null) =>
        Client.ConnectAsync(new Uri($"ws://{Node(node).BaseUri.Authority}/ws?user_id={user}{(groups is null ? "" : $"&groups={groups}")}"));

    private static Task<JsonElement> NextAsync(Client client) => Frames.NextAsync(client);

    private static Task<JsonElement> AnswerAsync(Client client, string json, string id) => Frames.AnswerAsync(client, json, id);

    private static async Task JoinAsync(Client client, string group)
    {
        var ack = await AnswerAsync(client, $$"""{"type":"join","group":"{{group}}","id":"j"}""", "j");
        Assert.Equal("ack", ack.GetProperty("type").GetString());
    }

    private static async Task<JsonElement> PresenceAsync(Client client, string group, string type = "presence", string? cursor = null)
    {
        var id = Guid.NewGuid().ToString("N");
        var data = cursor is null ? "" : $$""","data":{"cursor":"{{cursor}}"}""";
        return await AnswerAsync(client, $$"""{"type":"{{type}}","group":"{{group}}","id":"{{id}}"{{data}}}""", id);
    }

    private static (string Type, string User, JsonElement Data) Event(JsonElement frame) =>
        (frame.GetProperty("type").GetString()!, frame.GetProperty("data").GetProperty("user_id").GetString()!, frame.GetProperty("data"));

    private async Task MarkerAsync(Client sender, Client receiver, string group)
    {
        var marker = Guid.NewGuid().ToString("N");
        using var http = new HttpClient();
        var posted = await http.PostAsync(new Uri(Node(0).BaseUri, "/ws/message"),
            new StringContent($$"""{"group":"{{group}}","type":"marker","data":"{{marker}}"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        var next = await NextAsync(receiver);
        Assert.True(next.GetProperty("type").GetString() == "marker" && next.GetProperty("data").GetString() == marker,
            $"expected the marker, got {next}");
    }

    [Fact]
    public async Task Two_users_in_three_tabs_over_three_nodes_see_exact_lists_stats_and_events()
    {
        var group = Unique("room:");
        var (ann, ben) = (Unique("ann"), Unique("ben"));
        await using var watcher = await ConnectAsync(2, ben);
        await JoinAsync(watcher, group);
        var own = Event(await NextAsync(watcher));
        Assert.Equal(("presence_join", ben), (own.Type, own.User));

        await using var tab1 = await ConnectAsync(0, ann);
        await JoinAsync(tab1, group);
        var first = Event(await NextAsync(watcher));
        Assert.Equal(("presence_join", ann, true), (first.Type, first.User, first.Data.GetProperty("first").GetBoolean()));
        Assert.Equal(tab1.ConnectionId, first.Data.GetProperty("connection_id").GetString());
        await using var tab2 = await ConnectAsync(1, ann);
        await JoinAsync(tab2, group);
        var second = Event(await NextAsync(watcher));
        Assert.Equal(("presence_join", ann, false), (second.Type, second.User, second.Data.GetProperty("first").GetBoolean()));

        // Asked on any node, the list is the same: users in order, each connection with its node.
        foreach (var asker in new[] { watcher, tab1, tab2 })
        {
            var presence = await PresenceAsync(asker, group);
            Assert.Equal("presence", presence.GetProperty("type").GetString());
            Assert.Equal(group, presence.GetProperty("group").GetString());
            Assert.True(presence.GetProperty("data").GetProperty("complete").GetBoolean());
            var users = presence.GetProperty("data").GetProperty("users").EnumerateObject().ToList();
            Assert.Equal(new[] { ann, ben }.Order(StringComparer.Ordinal), users.Select(u => u.Name));
            var annConnections = users.Single(u => u.Name == ann).Value.EnumerateArray()
                .Select(c => (c.GetProperty("connection_id").GetString()!, c.GetProperty("node").GetString()!)).Order().ToList();
            Assert.Equal(new[] { (tab1.ConnectionId, NodeOf(tab1)), (tab2.ConnectionId, NodeOf(tab2)) }.Order(), annConnections);
            var stats = (await PresenceAsync(asker, group, "presence_stats")).GetProperty("data");
            Assert.Equal((2, 3), (stats.GetProperty("users").GetInt32(), stats.GetProperty("connections").GetInt32()));
        }

        await tab1.SendAsync($$"""{"type":"leave","group":"{{group}}"}""");
        var left = Event(await NextAsync(watcher));
        Assert.Equal(("presence_leave", ann, false, "left"),
            (left.Type, left.User, left.Data.GetProperty("last").GetBoolean(), left.Data.GetProperty("reason").GetString()));
        await tab2.DisposeAsync();
        var last = Event(await NextAsync(watcher));
        Assert.Equal(("presence_leave", ann, true, "closed"),
            (last.Type, last.User, last.Data.GetProperty("last").GetBoolean(), last.Data.GetProperty("reason").GetString()));
        Assert.Equal(tab2.ConnectionId, last.Data.GetProperty("connection_id").GetString());
    }

    private static string NodeOf(Client client) => client.Welcome.GetProperty("data").GetProperty("node").GetString()!;

    [Fact]
    public async Task A_reloading_tab_within_the_leave_delay_makes_no_event()
    {
        var group = Unique("room:");
        var (ann, ben) = (Unique("ann"), Unique("ben"));
        await using var watcher = await ConnectAsync(0, ben, group);
        Assert.Equal("presence_join", (await NextAsync(watcher)).GetProperty("type").GetString());
        var tab = await ConnectAsync(1, ann, group);
        Assert.Equal(ann, Event(await NextAsync(watcher)).User);

        await tab.DisposeAsync();
        // The reload comes once the group has taken the old tab out: a tab that is back before that is a second
        // connection of a present user, and its join is news (first: false).
        using var http = new HttpClient { BaseAddress = Node(2).BaseUri };
        await Eventually.TrueAsync(async () =>
        {
            var users = JsonDocument.Parse(await http.GetStringAsync($"/ws/groups/{Uri.EscapeDataString(group)}/presence"))
                .RootElement.GetProperty("users");
            return !users.TryGetProperty(ann, out var connections)
                   || connections.EnumerateArray().All(c => c.GetProperty("connection_id").GetString() != tab.ConnectionId);
        }, "the group has taken the closed tab out");
        await using var reloaded = await ConnectAsync(2, ann, group);
        await Task.Delay(TimeSpan.FromSeconds(NamespacedCluster.LeaveDelaySeconds + 1));
        // Neither the leave nor the return was news: the next frame is the marker.
        await MarkerAsync(reloaded, watcher, group);
        var presence = await PresenceAsync(watcher, group);
        var annConnections = presence.GetProperty("data").GetProperty("users").GetProperty(ann).EnumerateArray();
        Assert.Equal([reloaded.ConnectionId], annConnections.Select(c => c.GetProperty("connection_id").GetString()));
    }

    [Fact]
    public async Task Pages_of_presence_name_each_of_2500_users_once_in_order_on_the_socket_and_over_http()
    {
        var group = Unique("big:");
        var users = Enumerable.Range(0, 2500).Select(i => $"u{i:D4}-{group[4..]}").ToList();
        var clients = new List<Client>();
        try
        {
            foreach (var batch in users.Chunk(100))
                clients.AddRange(await Task.WhenAll(batch.Select((user, i) => ConnectAsync(i % 3, user, group))));

            var asker = clients[0];
            var paged = new List<string>();
            string? cursor = null;
            var pages = 0;
            while (true)
            {
                var data = (await PresenceAsync(asker, group, cursor: cursor)).GetProperty("data");
                paged.AddRange(data.GetProperty("users").EnumerateObject().Select(u => u.Name));
                pages++;
                if (data.GetProperty("complete").GetBoolean())
                    break;
                cursor = data.GetProperty("cursor").GetString();
            }
            Assert.Equal(3, pages); // Presence:PageSize is 1,000 by default
            Assert.Equal(users, paged);

            using var http = new HttpClient { BaseAddress = Node(1).BaseUri };
            var overHttp = new List<string>();
            cursor = null;
            while (true)
            {
                var body = await http.GetStringAsync($"/ws/groups/{Uri.EscapeDataString(group)}/presence{(cursor is null ? "" : $"?cursor={cursor}")}");
                var data = JsonDocument.Parse(body).RootElement;
                overHttp.AddRange(data.GetProperty("users").EnumerateObject().Select(u => u.Name));
                if (data.GetProperty("complete").GetBoolean())
                    break;
                cursor = data.GetProperty("cursor").GetString();
            }
            Assert.Equal(users, overHttp);
            var stats = JsonDocument.Parse(await http.GetStringAsync($"/ws/groups/{Uri.EscapeDataString(group)}/presence_stats")).RootElement;
            Assert.Equal((2500, 2500), (stats.GetProperty("users").GetInt32(), stats.GetProperty("connections").GetInt32()));
        }
        finally
        {
            await Task.WhenAll(clients.Select(c => c.DisposeAsync().AsTask()));
        }
    }

    [Fact]
    public async Task Presence_is_refused_to_non_members_off_outside_presence_namespaces_and_needs_an_id()
    {
        var group = Unique("room:");
        await using var member = await ConnectAsync(0, Unique("m"), group);
        await using var stranger = await ConnectAsync(1, Unique("s"));
        var refused = await PresenceAsync(stranger, group);
        Assert.Equal(("error", "forbidden"), (refused.GetProperty("type").GetString(), refused.GetProperty("data").GetProperty("code").GetString()));

        var plain = Unique("plain-");
        await JoinAsync(stranger, plain);
        var off = await PresenceAsync(stranger, plain, "presence_stats");
        Assert.Equal("presence_off", off.GetProperty("data").GetProperty("code").GetString());
        using var http = new HttpClient { BaseAddress = Node(2).BaseUri };
        var overHttp = await http.GetAsync($"/ws/groups/{plain}/presence");
        Assert.Equal(HttpStatusCode.NotFound, overHttp.StatusCode);
        Assert.Equal("presence_off", JsonDocument.Parse(await overHttp.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString());

        await member.SendAsync($$"""{"type":"presence","group":"{{group}}"}""");
        JsonElement error;
        while ((error = await NextAsync(member)).GetProperty("type").GetString() != "error")
        {
        }
        Assert.Equal("missing_field", error.GetProperty("data").GetProperty("code").GetString());
    }

    [Fact]
    public async Task ClientPublish_none_and_members_refuse_with_forbidden_and_the_api_still_publishes()
    {
        var feed = Unique("feed:");
        await using var reader = await ConnectAsync(0, Unique("r"), feed);
        var refused = await AnswerAsync(reader, $$"""{"type":"chat","group":"{{feed}}","data":1,"id":"p"}""", "p");
        Assert.Equal(("error", "forbidden"), (refused.GetProperty("type").GetString(), refused.GetProperty("data").GetProperty("code").GetString()));
        await MarkerAsync(reader, reader, feed); // the HTTP API may, and the refused message never came

        var club = Unique("club:");
        await using var member = await ConnectAsync(1, Unique("m"), club);
        await using var outsider = await ConnectAsync(2, Unique("o"));
        var outside = await AnswerAsync(outsider, $$"""{"type":"chat","group":"{{club}}","data":1,"id":"q"}""", "q");
        Assert.Equal("forbidden", outside.GetProperty("data").GetProperty("code").GetString());
        var inside = await AnswerAsync(member, $$"""{"type":"chat","group":"{{club}}","data":2,"id":"r"}""", "r");
        Assert.Equal("ack", inside.GetProperty("type").GetString());
        var chat = await NextAsync(member);
        Assert.Equal(("chat", 2), (chat.GetProperty("type").GetString(), chat.GetProperty("data").GetInt32()));

        // A group outside both namespaces keeps the default: anyone may send.
        var open = Unique("open-");
        await using var listener = await ConnectAsync(0, Unique("l"), open);
        var anyone = await AnswerAsync(outsider, $$"""{"type":"chat","group":"{{open}}","data":3,"id":"s"}""", "s");
        Assert.Equal("ack", anyone.GetProperty("type").GetString());
        Assert.Equal(3, (await NextAsync(listener)).GetProperty("data").GetInt32());
    }

    [Fact]
    public async Task MaxMembers_holds_across_the_nodes_and_a_freed_place_is_taken()
    {
        var group = Unique("cap:");
        var members = new List<Client>();
        for (var i = 0; i < 3; i++)
        {
            members.Add(await ConnectAsync(i, Unique("m")));
            await JoinAsync(members[^1], group);
        }
        await using var late = await ConnectAsync(0, Unique("late"));
        var full = await AnswerAsync(late, $$"""{"type":"join","group":"{{group}}","id":"f"}""", "f");
        Assert.Equal(("error", "group_full"), (full.GetProperty("type").GetString(), full.GetProperty("data").GetProperty("code").GetString()));
        // Refused is no member: a message to the group does not reach it.
        var refusedSend = await AnswerAsync(late, $$"""{"type":"leave","group":"{{group}}","id":"l"}""", "l");
        Assert.Equal("unknown_group", refusedSend.GetProperty("data").GetProperty("code").GetString());

        await members[1].DisposeAsync();
        await Eventually.TrueAsync(async () =>
        {
            var again = await AnswerAsync(late, $$"""{"type":"join","group":"{{group}}","id":"g"}""", "g");
            return again.GetProperty("type").GetString() == "ack";
        }, "the freed place is taken");
        foreach (var member in members)
            await member.DisposeAsync();
    }

    [Fact]
    public async Task Strict_refuses_an_unconfigured_namespace_and_takes_groups_without_one()
    {
        await using var client = await ConnectAsync(1, Unique("c"));
        var join = await AnswerAsync(client, """{"type":"join","group":"nope:x","id":"n"}""", "n");
        Assert.Equal("unknown_namespace", join.GetProperty("data").GetProperty("code").GetString());
        var send = await AnswerAsync(client, """{"type":"chat","group":"nope:x","data":1,"id":"m"}""", "m");
        Assert.Equal("unknown_namespace", send.GetProperty("data").GetProperty("code").GetString());
        await JoinAsync(client, Unique("lobby-"));
    }

    [Fact]
    public async Task A_reload_on_every_node_changes_the_rules_of_live_groups_kept_on_each_node_and_members_stay()
    {
        const int groups = 9;
        var run = Guid.NewGuid().ToString("N")[..8];
        var names = Enumerable.Range(0, groups).Select(i => $"reload:{run}-{i}").ToList();
        var clients = new List<Client>();
        try
        {
            for (var i = 0; i < groups; i++)
            {
                clients.Add(await ConnectAsync(i % 3, $"r{i}-{run}", names[i]));
                var sent = await AnswerAsync(clients[i], $$"""{"type":"chat","group":"{{names[i]}}","data":0,"id":"before"}""", "before");
                Assert.Equal("ack", sent.GetProperty("type").GetString());
            }

            foreach (var root in cluster.Roots)
            {
                var file = Path.Combine(root, "appsettings.json");
                await File.WriteAllTextAsync(file + ".next", NamespacedCluster.ReloadRules("""{"ClientPublish":"none"}"""));
                File.Move(file + ".next", file, overwrite: true);
            }

            // The groups' keepers are spread over the nodes by their shards: each applies its own node's reload.
            for (var i = 0; i < groups; i++)
            {
                var (client, group) = (clients[i], names[i]);
                await Eventually.TrueAsync(async () =>
                {
                    var id = Guid.NewGuid().ToString("N");
                    var answer = await AnswerAsync(client, $$"""{"type":"chat","group":"{{group}}","data":1,"id":"{{id}}"}""", id);
                    return answer.GetProperty("type").GetString() == "error"
                           && answer.GetProperty("data").GetProperty("code").GetString() == "forbidden";
                }, $"{group} refuses clients");
                // Still a member: a message from the HTTP API reaches it.
                using var http = new HttpClient();
                await http.PostAsync(new Uri(Node((i + 1) % 3).BaseUri, "/ws/message"),
                    new StringContent($$"""{"group":"{{group}}","type":"notice","data":"still here"}""", Encoding.UTF8, "application/json"));
                Assert.Equal("still here", (await Frames.NextOfTypeAsync(client, "notice")).GetProperty("data").GetString());
            }
        }
        finally
        {
            foreach (var client in clients)
                await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_users_third_connection_on_another_node_is_refused_until_one_of_the_two_closes()
    {
        var (user, other) = (Unique("u"), Unique("v"));
        var first = await ConnectAsync(0, user);
        await using var second = await ConnectAsync(1, user);

        // Node 3 holds none of the user's connections: only the user's entity can tell it that two are open elsewhere.
        var body = await RefusedAsync(2, user);
        Assert.Equal("too_many_connections", body.GetProperty("error").GetString());
        Assert.Equal($"user \"{user}\" holds its maximum of 2 connections in the cluster", body.GetProperty("message").GetString());
        Assert.Equal("too_many_connections", (await RefusedAsync(1, user)).GetProperty("error").GetString());

        // Another user is held to its own count.
        await using var otherOnThree = await ConnectAsync(2, other);
        await using var otherOnOne = await ConnectAsync(0, other);

        // Once the close has reached the user's entity, node 3 admits one more, and only one.
        await first.DisposeAsync();
        using var http = new HttpClient { BaseAddress = Node(2).BaseUri };
        await Eventually.TrueAsync(async () =>
                JsonDocument.Parse(await http.GetStringAsync($"/ws/users/{user}")).RootElement.GetProperty("connections").GetInt32() == 1,
            "the cluster knows the first connection closed");
        await using var third = await ConnectAsync(2, user);
        Assert.Equal("too_many_connections", (await RefusedAsync(0, user)).GetProperty("error").GetString());
    }

    private async Task<JsonElement> RefusedAsync(int node, string user)
    {
        await using var refused = await RawWebSocket.ConnectAsync(Node(node).BaseUri, $"/ws?user_id={user}");
        Assert.Equal(429, refused.Status);
        return JsonDocument.Parse(refused.Body).RootElement.Clone();
    }
}

using System.Text.Json.Nodes;
using Switchboard.Client.Tests.Support;

namespace Switchboard.Client.Tests;

/// <summary>Presence and its events in the namespace <c>room</c> (Namespaces__Rules__room__*); groups outside it have none.</summary>
public abstract class PresenceNode : Node
{
    protected static Dictionary<string, string> Rooms(params (string Name, string Value)[] more)
    {
        var settings = new Dictionary<string, string>
        {
            ["Namespaces__Rules__room__Presence"] = "true",
            ["Namespaces__Rules__room__PresenceEvents"] = "true",
            ["Presence__LeaveDelay"] = "0",
        };
        foreach (var (name, value) in more) settings[name] = value;
        return settings;
    }
}

/// <summary>Pages of two users (Presence__PageSize, so that three users need two pages).</summary>
public sealed class PagingPresenceNode : PresenceNode
{
    protected override IDictionary<string, string> Settings => Rooms(("Presence__PageSize", "2"));
}

/// <summary>
/// Room for one event delivery a second (Presence__EventDeliveriesPerSecond, the setting under test in the coalescing
/// test) and history on, so that a reconnect's groups are joined again before its welcome (the resend test).
/// </summary>
public sealed class BusyPresenceNode : PresenceNode
{
    protected override IDictionary<string, string> Settings =>
        Rooms(("Presence__EventDeliveriesPerSecond", "1"), ("WEBSOCKET_HISTORY_SIZE", "1000"));
}

/// <summary>
/// Presence (PROTOCOL.md "Presence"): lists, counts, pages and events of who is in a group, against real nodes. Members
/// join with JoinAsync and its ack: the group knows a member once its join is acknowledged. One test needs answers of the
/// wrong type, which the service never sends: a <see cref="StandIn"/> gives them.
/// </summary>
public sealed class PresenceTests(PagingPresenceNode node, BusyPresenceNode busy) : IClassFixture<PagingPresenceNode>, IClassFixture<BusyPresenceNode>
{
    [Fact]
    public async Task Presence_lists_each_user_with_its_connections_and_PresenceStats_counts_them()
    {
        await using var clients = new Clients();
        const string group = "room:list";
        var (members, welcomes) = await MembersAsync(clients, node, group, "list-alice", "list-alice", "list-bob");
        var (tab1, tab2, bob) = (members[0], members[1], members[2]);
        var seen = new Recorder(bob);

        var page = await bob.PresenceAsync(group);
        Assert.Equal(["list-alice", "list-bob"], page.Users.Keys);
        Assert.Equal(
            new[] { (welcomes[0].ConnectionId, welcomes[0].Node), (welcomes[1].ConnectionId, welcomes[1].Node) }.Order(),
            page.Users["list-alice"].Select(c => (c.ConnectionId, c.Node)).Order());
        Assert.Equal([(welcomes[2].ConnectionId, welcomes[2].Node)], page.Users["list-bob"].Select(c => (c.ConnectionId, c.Node)));
        Assert.True(page.Complete);
        Assert.Null(page.Cursor);

        Assert.Equal(new PresenceStats { Users = 2, Connections = 3 }, await tab1.PresenceStatsAsync(group));
        Assert.Equal(Flatten(page.Users), Flatten(await tab2.PresenceAllAsync(group)));
        Assert.Equal((0, 0), (seen.Messages.Count, seen.Errors.Count));
    }

    [Fact]
    public async Task Presence_events_joins_with_first_and_leaves_with_last_and_their_reason_reach_members_and_not_as_messages()
    {
        await using var clients = new Clients();
        const string group = "room:events";
        var watcher = clients.Make("events-bob", node.Ws);
        var seen = new Recorder(watcher);
        var bob = await watcher.ConnectAsync();
        await watcher.JoinAsync(group);
        await seen.UntilAsync(s => s.Joins.Count == 1, "bob sees his own join");

        var tab1 = clients.Make("events-alice", node.Ws);
        var tab2 = clients.Make("events-alice", node.Ws);
        var welcomes = await Task.WhenAll(tab1.ConnectAsync(), tab2.ConnectAsync());
        await tab1.JoinAsync(group);
        await seen.UntilAsync(s => s.Joins.Count == 2, "bob sees alice's first tab");
        await tab2.JoinAsync(group);
        await seen.UntilAsync(s => s.Joins.Count == 3, "bob sees alice's second tab");
        Assert.Equal(
            [
                new PresenceJoin { Group = group, UserId = "events-bob", ConnectionId = bob.ConnectionId, First = true },
                new PresenceJoin { Group = group, UserId = "events-alice", ConnectionId = welcomes[0].ConnectionId, First = true },
                new PresenceJoin { Group = group, UserId = "events-alice", ConnectionId = welcomes[1].ConnectionId, First = false },
            ],
            seen.Joins);

        await tab1.LeaveAsync(group);
        await seen.UntilAsync(s => s.Leaves.Count == 1, "bob sees alice's first tab leave");
        await tab2.CloseAsync();
        await seen.UntilAsync(s => s.Leaves.Count == 2, "bob sees alice's second tab close");
        Assert.Equal(
            [
                new PresenceLeave { Group = group, UserId = "events-alice", ConnectionId = welcomes[0].ConnectionId, Last = false, Reason = "left" },
                new PresenceLeave { Group = group, UserId = "events-alice", ConnectionId = welcomes[1].ConnectionId, Last = true, Reason = "closed" },
            ],
            seen.Leaves);
        Assert.Equal((0, 0, 0, 0, 0), (seen.Messages.Count, seen.Ignored.Count, seen.Resyncs.Count, seen.Resets.Count, seen.Errors.Count));
        Assert.Equal(new PresenceStats { Users = 1, Connections = 1 }, await watcher.PresenceStatsAsync(group));
    }

    [Fact]
    public async Task A_group_larger_than_a_page_comes_in_pages_across_a_cursor_and_PresenceAll_reads_them_all()
    {
        await using var clients = new Clients();
        const string group = "room:pages";
        var (members, welcomes) = await MembersAsync(clients, node, group, "pages-a", "pages-b", "pages-c");
        var asker = members[0];

        var first = await asker.PresenceAsync(group);
        Assert.Equal(["pages-a", "pages-b"], first.Users.Keys);
        Assert.Equal((false, "pages-b"), (first.Complete, first.Cursor));
        var second = await asker.PresenceAsync(group, first.Cursor);
        Assert.Equal([("pages-c", welcomes[2].ConnectionId, welcomes[2].Node)], Flatten(second.Users));
        Assert.Equal((true, null), (second.Complete, second.Cursor));

        var all = await asker.PresenceAllAsync(group);
        Assert.Equal(["pages-a", "pages-b", "pages-c"], all.Keys);
        Assert.Equal(Flatten(first.Users).Concat(Flatten(second.Users)), Flatten(all));
        Assert.Equal(new PresenceStats { Users = 3, Connections = 3 }, await asker.PresenceStatsAsync(group));
    }

    [Fact]
    public async Task Presence_is_refused_with_the_servers_code_presence_off_outside_presence_namespaces_forbidden_to_non_members()
    {
        await using var clients = new Clients();
        var (members, _) = await MembersAsync(clients, node, "room:closed", "refused-member");
        var stranger = clients.Make("refused-stranger", node.Ws);
        var seen = new Recorder(stranger);
        var notConnected = await Assert.ThrowsAsync<SwitchboardException>(() => stranger.PresenceAsync("room:lobby"));
        Assert.Equal((SwitchboardException.Codes.Closed, true), (notConnected.Code, notConnected.Message.Contains("ConnectAsync")));
        await stranger.ConnectAsync();
        await stranger.JoinAsync("refused-lobby");
        await stranger.JoinAsync("chat:refused-plain");

        foreach (var group in new[] { "refused-lobby", "chat:refused-plain" })
        {
            Assert.Equal("presence_off", (await Assert.ThrowsAsync<SwitchboardException>(() => stranger.PresenceAsync(group))).Code);
            Assert.Equal("presence_off", (await Assert.ThrowsAsync<SwitchboardException>(() => stranger.PresenceStatsAsync(group))).Code);
            Assert.Equal("presence_off", (await Assert.ThrowsAsync<SwitchboardException>(() => stranger.PresenceAllAsync(group))).Code);
        }
        Assert.Equal("forbidden", (await Assert.ThrowsAsync<SwitchboardException>(() => stranger.PresenceAsync("room:closed"))).Code);
        Assert.Equal("forbidden", (await Assert.ThrowsAsync<SwitchboardException>(() => stranger.PresenceStatsAsync("room:closed"))).Code);
        Refusal.Of(() => stranger.PresenceAsync("room:a,b"));
        Refusal.Of(() => stranger.PresenceAsync("room:closed", cursor: ""));
        Refusal.Of(() => stranger.PresenceStatsAsync("room:a,b"));
        Refusal.Of(() => stranger.PresenceAllAsync("room:a,b"));

        // Refusals answer their requests: no error event, and the connection serves on.
        Assert.Empty(seen.Errors);
        Assert.Equal(ConnectionState.Connected, stranger.State);
        Assert.Equal(new PresenceStats { Users = 1, Connections = 1 }, await members[0].PresenceStatsAsync("room:closed"));
    }

    [Fact]
    public async Task Past_the_groups_event_budget_members_get_the_coalesced_PresenceResync_not_the_events()
    {
        await using var clients = new Clients();
        const string group = "room:busy";
        var watcher = clients.Make("busy-watcher", busy.Ws);
        var seen = new Recorder(watcher);
        await watcher.ConnectAsync();
        await watcher.JoinAsync(group);
        await seen.UntilAsync(s => s.Joins.Count == 1, "the watcher sees its own join (one delivery fits the budget)");

        await MembersAsync(clients, busy, group, "busy-a", "busy-b");
        // A PresenceStatsAsync meanwhile gets its own answer, not the coalesced frame.
        Assert.Equal(new PresenceStats { Users = 3, Connections = 3 }, await watcher.PresenceStatsAsync(group));
        await seen.UntilAsync(s => s.Resyncs.Any(r => r.Connections == 3), "a coalesced presence_stats naming three connections");
        Assert.Equal(new PresenceResync { Group = group, Users = 3, Connections = 3 }, seen.Resyncs.First(r => r.Connections == 3));
        Assert.Equal(["busy-watcher"], seen.Joins.Select(j => j.UserId));
        Assert.Empty(seen.Messages);
    }

    [Fact]
    public async Task A_presence_request_the_dead_connection_did_not_answer_is_sent_again_after_the_reconnect_and_answered()
    {
        await using var clients = new Clients();
        const string group = "room:again";
        // Short heartbeat settings, as in the reconnect tests: the frozen node is given up on in seconds.
        var alice = clients.Make("again-alice", busy.Ws, o =>
        {
            o.PingInterval = TimeSpan.FromMilliseconds(500);
            o.PongTimeout = TimeSpan.FromSeconds(3);
        });
        var seen = new Recorder(alice);
        await alice.ConnectAsync();
        await alice.JoinAsync(group);
        busy.Process.Freeze();
        Task<PresencePage> asked;
        try
        {
            asked = alice.PresenceAsync(group);
            await Eventually.TrueAsync(() => alice.State == ConnectionState.Reconnecting, "alice gives up the frozen connection");
        }
        finally
        {
            busy.Process.Thaw();
        }
        var page = await asked;
        Assert.Equal(["again-alice"], page.Users.Keys);
        Assert.True(page.Complete);
        Assert.Equal([ConnectionState.Connecting, ConnectionState.Connected, ConnectionState.Reconnecting, ConnectionState.Connected], seen.States);
    }

    [Fact]
    public async Task An_answer_settles_only_a_request_of_its_type_an_ack_is_no_presence_answer_a_presence_answer_no_ack()
    {
        var asked = new List<string>();
        // Each request is first answered under its id with frames of the other types, then for real.
        var welcome = JsonNode.Parse("""{"type":"welcome","data":{"user_id":"typed","connection_id":"c","node":"stand-in"}}""")!;
        await using var server = await StandIn.StartAsync([welcome], async (socket, frame) =>
        {
            var type = frame.GetProperty("type").GetString()!;
            lock (asked) asked.Add(type);
            var id = frame.GetProperty("id").GetString();
            var answers = new Dictionary<string, string>
            {
                ["ack"] = $$$"""{"type":"ack","id":"{{{id}}}"}""",
                ["presence"] = $$$"""{"type":"presence","group":"room:x","id":"{{{id}}}","data":{"users":{},"complete":true}}""",
                ["presence_stats"] = $$$"""{"type":"presence_stats","group":"room:x","id":"{{{id}}}","data":{"users":0,"connections":0}}""",
            };
            var right = type == "presence" ? "presence" : "ack";
            foreach (var answer in answers.Keys.Where(t => t != right).Append(right)) await socket.SendAsync(answers[answer]);
        });

        await using var clients = new Clients();
        var typed = clients.Make("typed", server.Url);
        var seen = new Recorder(typed);
        await typed.ConnectAsync();
        var page = await typed.PresenceAsync("room:x");
        Assert.Equal((0, true, null), (page.Users.Count, page.Complete, page.Cursor));
        var ack = await typed.SendAsync(new OutgoingMessage { Group = "room:x", Type = "chat", Id = "s-1" });
        Assert.Equal(("s-1", null), (ack.Id, ack.Seq));
        // Answers nothing waits for (each request's wrong-typed answers) are dropped: no event, no message.
        lock (asked) Assert.Equal(["presence", "chat"], asked);
        Assert.Equal((0, 0, 0, 0), (seen.Messages.Count, seen.Resyncs.Count, seen.Errors.Count, seen.Ignored.Count));
    }

    /// <summary>Connected clients of <paramref name="users"/> on <paramref name="at"/>, each a member of <paramref name="group"/>, with their welcomes.</summary>
    private static async Task<(SwitchboardClient[] Clients, Welcome[] Welcomes)> MembersAsync(Clients clients, Node at, string group, params string[] users)
    {
        var made = users.Select(user => clients.Make(user, at.Ws)).ToArray();
        var welcomes = await Task.WhenAll(made.Select(c => c.ConnectAsync()));
        foreach (var client in made) await client.JoinAsync(group);
        return (made, welcomes);
    }

    /// <summary>A presence list as (user, connection, node), in the list's order.</summary>
    private static List<(string User, string Connection, string Node)> Flatten(IEnumerable<KeyValuePair<string, List<PresenceConnection>>> users) =>
        users.SelectMany(u => u.Value.Select(c => (u.Key, c.ConnectionId, c.Node))).ToList();
}

using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Switchboard.Actors.Routing;
using Switchboard.IntegrationTests.Support;

namespace Switchboard.IntegrationTests;

/// <summary>Users, groups and broadcast on one node, through WebSocket frames and the HTTP API.</summary>
public sealed class RoutingTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private SwitchboardServer Server => fixture.Server;

    private Task<Client> ConnectAsync(string user, string query = "") =>
        Client.ConnectAsync(Server.WebSocketUri($"user_id={user}{query}"));

    private static string Unique(string name) => $"{name}-{Guid.NewGuid():N}"[..20];

    private async Task<HttpResponseMessage> PostAsync(string path, string json) =>
        await Server.Http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    /// <summary>Sends a marker to <paramref name="user"/> over the API: the next frame a connection reads must be it.</summary>
    private async Task SendMarkerAsync(string user) =>
        Assert.Equal(202, (int)(await PostAsync("/ws/message", $$"""{"to":"{{user}}","type":"marker"}""")).StatusCode);

    private static async Task AssertNextIsMarkerAsync(Client client) =>
        Assert.Equal("marker", (await client.ReceiveAsync()).GetProperty("type").GetString());

    private static async Task AssertAckAsync(Client client, object id)
    {
        var ack = await client.ReceiveAsync();
        Assert.Equal("ack", ack.GetProperty("type").GetString());
        Assert.Equal(JsonSerializer.Serialize(id), ack.GetProperty("id").GetRawText());
    }

    private static async Task JoinAsync(Client client, string group)
    {
        await client.SendAsync($$"""{"type":"join","group":"{{group}}","id":"join-{{group}}"}""");
        await AssertAckAsync(client, $"join-{group}");
    }

    [Fact]
    public async Task Direct_message_reaches_every_connection_of_the_user_with_server_set_fields()
    {
        var bob = Unique("bob");
        await using var alice = await ConnectAsync(Unique("alice"));
        var tabs = new List<Client>();
        for (var i = 0; i < 3; i++)
            tabs.Add(await ConnectAsync(bob));

        await alice.SendAsync($$"""{"type":"chat","to":"{{bob}}","data":{"text":"hi","n":[1,2]},"from":"mallory","timestamp":1,"id":7}""");
        await AssertAckAsync(alice, 7);
        foreach (var tab in tabs)
        {
            var message = await tab.ReceiveAsync();
            Assert.Equal("chat", message.GetProperty("type").GetString());
            Assert.Equal(alice.UserId, message.GetProperty("from").GetString());
            Assert.Equal(bob, message.GetProperty("to").GetString());
            Assert.Equal("""{"text":"hi","n":[1,2]}""", message.GetProperty("data").GetRawText());
            Assert.True(message.GetProperty("timestamp").GetInt64() > 1_700_000_000);
        }
        foreach (var tab in tabs)
            await tab.DisposeAsync();
    }

    [Fact]
    public async Task Group_message_reaches_every_member_and_nobody_else()
    {
        var group = Unique("g");
        var members = new List<Client>();
        for (var i = 0; i < 4; i++)
        {
            var member = await ConnectAsync(Unique("member"));
            await JoinAsync(member, group);
            members.Add(member);
        }
        await using var outsider = await ConnectAsync(Unique("outsider"));

        await members[0].SendAsync($$"""{"type":"chat","group":"{{group}}","data":"hello group","id":1}""");
        foreach (var member in members)
        {
            var message = await member.ReceiveAsync();
            Assert.Equal("hello group", message.GetProperty("data").GetString());
            Assert.Equal(group, message.GetProperty("group").GetString());
            Assert.Equal(members[0].UserId, message.GetProperty("from").GetString());
        }
        await AssertAckAsync(members[0], 1);

        await SendMarkerAsync(outsider.UserId);
        await AssertNextIsMarkerAsync(outsider);
        foreach (var member in members)
            await member.DisposeAsync();
    }

    [Fact]
    public async Task Leave_stops_delivery()
    {
        var group = Unique("g");
        await using var stayer = await ConnectAsync(Unique("stayer"));
        await using var leaver = await ConnectAsync(Unique("leaver"));
        await JoinAsync(stayer, group);
        await JoinAsync(leaver, group);

        await leaver.SendAsync($$"""{"type":"leave","group":"{{group}}","id":"bye"}""");
        await AssertAckAsync(leaver, "bye");
        Assert.Equal(202, (int)(await PostAsync("/ws/message", $$"""{"group":"{{group}}","type":"news"}""")).StatusCode);

        Assert.Equal("news", (await stayer.ReceiveAsync()).GetProperty("type").GetString());
        await SendMarkerAsync(leaver.UserId);
        await AssertNextIsMarkerAsync(leaver);
    }

    [Fact]
    public async Task Groups_in_the_connect_url_are_joined()
    {
        var (first, second) = (Unique("g"), Unique("g"));
        await using var client = await ConnectAsync(Unique("joiner"), $"&groups={first},{second}");
        foreach (var group in new[] { first, second })
        {
            await Eventually.TrueAsync(async () => (await Server.Http.GetAsync($"/ws/groups/{group}")).IsSuccessStatusCode,
                "the group lists the connection");
            Assert.Equal(202, (int)(await PostAsync("/ws/message", $$"""{"group":"{{group}}","type":"news"}""")).StatusCode);
            Assert.Equal(group, (await client.ReceiveAsync()).GetProperty("group").GetString());
        }
    }

    [Fact]
    public async Task Group_listing_shows_exact_membership()
    {
        var group = Unique("g");
        var (ann, ben) = (Unique("ann"), Unique("ben"));
        var clients = new List<Client> { await ConnectAsync(ann), await ConnectAsync(ann), await ConnectAsync(ben) };
        foreach (var client in clients)
            await JoinAsync(client, group);

        var listing = await Server.Http.GetFromJsonAsync<JsonElement>($"/ws/groups/{group}");
        Assert.Equal(3, listing.GetProperty("connections").GetInt32());
        var members = listing.GetProperty("members").EnumerateArray()
            .ToDictionary(m => m.GetProperty("user_id").GetString()!, m => m.GetProperty("connections").GetInt32());
        Assert.Equal(new Dictionary<string, int> { [ann] = 2, [ben] = 1 }, members);

        var stats = await Server.Http.GetFromJsonAsync<JsonElement>($"/ws/stats?group={group}");
        Assert.Equal(2, stats.GetProperty("group").GetProperty("members").GetInt32());
        Assert.Equal(3, stats.GetProperty("group").GetProperty("connections").GetInt32());

        foreach (var client in clients)
            await client.DisposeAsync();
        await Eventually.TrueAsync(async () => (int)(await Server.Http.GetAsync($"/ws/groups/{group}")).StatusCode == 404,
            "the group is empty once its members disconnect");
    }

    [Fact]
    public async Task Disconnected_connection_is_forgotten_and_an_empty_user_bucket_entity_passivates()
    {
        var user = Unique("carol");
        var first = await ConnectAsync(user);
        await using var second = await ConnectAsync(user);
        await Eventually.TrueAsync(async () => (await ConnectionsOfAsync(user)).Count == 2, "both connections are known");

        await first.DisposeAsync();
        await Eventually.TrueAsync(async () => (await ConnectionsOfAsync(user)).Count == 1, "the closed connection is forgotten");
        await SendMarkerAsync(user);
        await AssertNextIsMarkerAsync(second);

        await second.DisposeAsync();
        await Eventually.TrueAsync(async () => !(await LiveUserEntitiesAsync()).Contains(user), "the user's entity passivates");
    }

    [Fact]
    public async Task Message_to_an_unknown_user_is_accepted_and_counted_as_undeliverable()
    {
        var before = (await Server.StatsAsync()).GetProperty("undeliverable").GetInt64();
        var response = await PostAsync("/ws/message", $$"""{"to":"{{Unique("ghost")}}","type":"chat","data":1}""");
        Assert.Equal(202, (int)response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accepted").GetBoolean());
        await Eventually.TrueAsync(async () => (await Server.StatsAsync()).GetProperty("undeliverable").GetInt64() == before + 1,
            "the message is counted as undeliverable");
    }

    [Fact]
    public async Task Message_to_a_group_without_members_gets_an_unknown_group_error()
    {
        await using var client = await ConnectAsync(Unique("lonely"));
        await client.SendAsync($$"""{"type":"chat","group":"{{Unique("empty")}}","data":1,"id":9}""");
        var error = await client.ReceiveAsync();
        Assert.Equal("error", error.GetProperty("type").GetString());
        Assert.Equal(9, error.GetProperty("id").GetInt32());
        Assert.Equal("unknown_group", error.GetProperty("data").GetProperty("code").GetString());
    }

    [Theory]
    [InlineData("""{"type":"join"}""", "missing_field")]
    // A bad name gets the code the HTTP API and the upgrade give for it (Names.Check), not invalid_field.
    [InlineData("""{"type":"leave","group":""}""", "invalid_group")]
    [InlineData("""{"type":"chat","group":""}""", "invalid_group")]
    [InlineData("""{"type":"chat","to":""}""", "invalid_user_id")]
    [InlineData("""{"type":"chat","data":1}""", "missing_field")]
    [InlineData("""{"type":"chat","to":"a","group":"b"}""", "invalid_field")]
    [InlineData("""{"type":"leave","group":"never-joined"}""", "unknown_group")]
    [InlineData("""{"type":"broadcast","data":1}""", "forbidden")]
    public async Task Unroutable_frame_gets_an_error_frame(string frame, string code)
    {
        await using var client = await ConnectAsync(Unique("sender"));
        await client.SendAsync(frame);
        var error = await client.ReceiveAsync();
        Assert.Equal(code, error.GetProperty("data").GetProperty("code").GetString());
    }

    [Fact]
    public async Task Api_broadcast_reaches_a_thousand_connections_exactly_once()
    {
        var clients = new List<Client>();
        for (var i = 0; i < 1000; i++)
            clients.Add(await ConnectAsync(Unique("crowd")));

        Assert.Equal(202, (int)(await PostAsync("/ws/broadcast", """{"type":"notice","data":{"n":1}}""")).StatusCode);
        Assert.Equal(202, (int)(await PostAsync("/ws/broadcast", """{"type":"marker"}""")).StatusCode);
        await Task.WhenAll(clients.Select(async client =>
        {
            var notice = await client.ReceiveAsync();
            Assert.Equal("notice", notice.GetProperty("type").GetString());
            Assert.Equal("server", notice.GetProperty("from").GetString());
            Assert.Equal("""{"n":1}""", notice.GetProperty("data").GetRawText());
            await AssertNextIsMarkerAsync(client);
        }));
        await Task.WhenAll(clients.Select(c => c.DisposeAsync().AsTask()));
    }

    [Fact]
    public async Task Messages_from_one_sender_arrive_in_the_order_sent()
    {
        const int count = 5000;
        var receiverId = Unique("receiver");
        await using var receiver = await ConnectAsync(receiverId);
        await using var sender = await ConnectAsync(Unique("sender"));

        var sending = Task.Run(async () =>
        {
            for (var n = 0; n < count; n++)
                await sender.SendAsync($$"""{"type":"seq","to":"{{receiverId}}","data":{{n}}}""");
        });
        for (var n = 0; n < count; n++)
            Assert.Equal(n, (await receiver.ReceiveAsync()).GetProperty("data").GetInt32());
        await sending;
    }

    [Fact]
    public async Task A_hundred_clients_sending_to_each_other_lose_nothing()
    {
        const int clientsCount = 100, perClient = 30;
        var ids = Enumerable.Range(0, clientsCount).Select(_ => Unique("peer")).ToArray();
        var clients = new List<Client>();
        foreach (var id in ids)
            clients.Add(await ConnectAsync(id));

        // Client i sends message k to client (i + k + 1) mod N: everyone receives exactly perClient.
        var sends = clients.Select((client, i) => Task.Run(async () =>
        {
            for (var k = 0; k < perClient; k++)
                await client.SendAsync($$"""{"type":"chat","to":"{{ids[(i + k + 1) % clientsCount]}}","data":"{{i}}:{{k}}"}""");
        }));
        var receives = clients.Select(async client =>
        {
            var got = new List<string>();
            for (var k = 0; k < perClient; k++)
                got.Add((await client.ReceiveAsync()).GetProperty("data").GetString()!);
            return got;
        }).ToList();
        await Task.WhenAll(sends);
        var received = (await Task.WhenAll(receives)).SelectMany(g => g).ToHashSet();

        var expected = Enumerable.Range(0, clientsCount).SelectMany(i => Enumerable.Range(0, perClient).Select(k => $"{i}:{k}"));
        Assert.Equal(expected.ToHashSet(), received);
        await Task.WhenAll(clients.Select(c => c.DisposeAsync().AsTask()));
    }

    private async Task<UserProtocol.Connections> ConnectionsOfAsync(string user) =>
        await Server.Hub.Routing.Users.Ask<UserProtocol.Connections>(new UserProtocol.GetConnections(user), TimeSpan.FromSeconds(10));

    private async Task<HashSet<string>> LiveUserEntitiesAsync()
    {
        var state = await Server.Hub.Routing.Users.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, TimeSpan.FromSeconds(10));
        return state.Shards.SelectMany(s => s.EntityIds).ToHashSet();
    }
}

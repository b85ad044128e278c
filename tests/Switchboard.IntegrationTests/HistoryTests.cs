using System.Net;
using System.Text;
using System.Text.Json;
using Switchboard.IntegrationTests.Support;

namespace Switchboard.IntegrationTests;

/// <summary>
/// PROTOCOL.md "Streams, history and resume" for the user stream, on one node with the memory store: numbering, acks
/// with the number, resume on connect, resends by id, receipts and the HTTP views; and the answers with history off.
/// <see cref="RedisHistoryTests"/> runs the same with the Redis store.
/// </summary>
public class HistoryTests
{
    protected virtual Task<SwitchboardServer> StartWithHistoryAsync(int size = 200, TimeSpan? ttl = null) =>
        SwitchboardServer.StartAsync(o => o with { HistorySize = size, HistoryTtl = ttl ?? o.HistoryTtl });

    /// <summary>The memory store counts what it keeps in switchboard_history_messages; the Redis store keeps nothing on the node.</summary>
    protected virtual bool KeepsOnTheNode => true;

    protected static (string Epoch, long Seq) UserStream(JsonElement welcome)
    {
        var user = welcome.GetProperty("data").GetProperty("streams").GetProperty("user");
        return (user.GetProperty("epoch").GetString()!, user.GetProperty("seq").GetInt64());
    }

    /// <summary>The next frame of <paramref name="type"/>, skipping others (pongs, acks of other frames).</summary>
    protected static async Task<JsonElement> NextAsync(Client client, string type)
    {
        while (true)
        {
            var frame = await client.ReceiveAsync();
            if (frame.GetProperty("type").GetString() == type)
                return frame;
        }
    }

    protected static async Task<long> SendAckedAsync(Client sender, string to, string id, string text = "hi")
    {
        await sender.SendAsync($$"""{"type":"chat","to":"{{to}}","id":"{{id}}","data":"{{text}}"}""");
        var ack = await NextAsync(sender, "ack");
        Assert.Equal(id, ack.GetProperty("id").GetString());
        return ack.GetProperty("data").GetProperty("seq").GetInt64();
    }

    [Fact]
    public async Task A_user_away_while_100_messages_arrive_resumes_and_gets_exactly_those_in_order()
    {
        await using var server = await StartWithHistoryAsync();
        var (epoch, start) = await FirstVisitAsync(server, "away");
        Assert.Equal(0, start);

        await using var sender = await Client.ConnectAsync(server.WebSocketUri("user_id=writer"));
        for (var i = 1; i <= 100; i++)
            Assert.Equal(i, await SendAckedAsync(sender, "away", $"m{i}", $"n{i}"));

        await using var back = await Client.ConnectAsync(server.WebSocketUri($"user_id=away&resume={epoch}:0"));
        Assert.Equal((epoch, 100L), UserStream(back.Welcome));
        for (var i = 1; i <= 100; i++)
        {
            var message = await back.ReceiveAsync();
            Assert.Equal("chat", message.GetProperty("type").GetString());
            Assert.Equal(i, message.GetProperty("seq").GetInt64());
            Assert.Equal($"n{i}", message.GetProperty("data").GetString());
            Assert.Equal("writer", message.GetProperty("from").GetString());
        }
        var resumed = await back.ReceiveAsync();
        Assert.Equal("resumed", resumed.GetProperty("type").GetString());
        Assert.Equal("user", resumed.GetProperty("data").GetProperty("stream").GetString());
        Assert.True(resumed.GetProperty("data").GetProperty("recovered").GetBoolean());
        Assert.Equal(100, resumed.GetProperty("data").GetProperty("seq").GetInt64());

        var scrape = await Exposition.ScrapeAsync(server.Http, server.BaseUri);
        Assert.Equal(KeepsOnTheNode ? 100 : 0, scrape.Value("switchboard_history_messages"));
        Assert.Equal(1, scrape.Value("switchboard_resumes_total", ("recovered", "true")));
        Assert.Equal(0, scrape.Value("switchboard_resumes_total", ("recovered", "false")));
        Assert.True(scrape.Has("switchboard_history_store_failures_total"));
    }

    [Fact]
    public async Task Messages_sent_while_a_user_resumes_arrive_once_each_in_order()
    {
        await using var server = await StartWithHistoryAsync();
        var (epoch, _) = await FirstVisitAsync(server, "moving");
        await using var sender = await Client.ConnectAsync(server.WebSocketUri("user_id=pusher"));
        for (var i = 1; i <= 50; i++)
            await SendAckedAsync(sender, "moving", $"a{i}");

        // The next 150 go out while the user reconnects: some land in the replay, some are live, none twice.
        var sending = Task.Run(async () =>
        {
            for (var i = 51; i <= 200; i++)
                await sender.SendAsync($$"""{"type":"chat","to":"moving","data":{{i}}}""");
        });
        await using var back = await Client.ConnectAsync(server.WebSocketUri($"user_id=moving&resume={epoch}:0"));
        await sending;
        var seen = new List<long>();
        var resumedAt = -1;
        // The resumed may come after all 200, when every one was numbered before the resume was answered.
        while (seen.Count < 200 || resumedAt < 0)
        {
            var frame = await back.ReceiveAsync();
            var type = frame.GetProperty("type").GetString();
            if (type == "resumed")
            {
                Assert.True(frame.GetProperty("data").GetProperty("recovered").GetBoolean());
                resumedAt = seen.Count;
                continue;
            }
            seen.Add(frame.GetProperty("seq").GetInt64());
        }
        Assert.Equal(Enumerable.Range(1, 200).Select(i => (long)i), seen);
        Assert.InRange(resumedAt, 50, 200);
    }

    [Fact]
    public async Task A_resume_from_another_epoch_or_from_before_the_kept_history_recovers_nothing()
    {
        await using var server = await StartWithHistoryAsync(size: 10);
        var (epoch, _) = await FirstVisitAsync(server, "late");
        await using var sender = await Client.ConnectAsync(server.WebSocketUri("user_id=early"));
        for (var i = 1; i <= 20; i++)
            await SendAckedAsync(sender, "late", $"x{i}");

        foreach (var resume in new[] { "zzzz9999:3", $"{epoch}:5" })
        {
            await using var back = await Client.ConnectAsync(server.WebSocketUri($"user_id=late&resume={resume}"));
            var resumed = await back.ReceiveAsync();
            Assert.Equal("resumed", resumed.GetProperty("type").GetString());
            Assert.False(resumed.GetProperty("data").GetProperty("recovered").GetBoolean());
            Assert.Equal(epoch, resumed.GetProperty("data").GetProperty("epoch").GetString());
            Assert.Equal(20, resumed.GetProperty("data").GetProperty("seq").GetInt64());
        }

        // From within what is kept (the last 10: 11 to 20) it recovers.
        await using var within = await Client.ConnectAsync(server.WebSocketUri($"user_id=late&resume={epoch}:12"));
        for (var seq = 13; seq <= 20; seq++)
            Assert.Equal(seq, (await within.ReceiveAsync()).GetProperty("seq").GetInt64());
        Assert.True((await within.ReceiveAsync()).GetProperty("data").GetProperty("recovered").GetBoolean());
    }

    [Fact]
    public async Task Messages_older_than_the_ttl_are_not_replayed_and_a_resume_from_before_them_recovers_nothing()
    {
        await using var server = await StartWithHistoryAsync(ttl: TimeSpan.FromSeconds(2));
        await FirstVisitAsync(server, "slow");
        await using var sender = await Client.ConnectAsync(server.WebSocketUri("user_id=steady"));
        for (var i = 1; i <= 20; i++)
            await SendAckedAsync(sender, "slow", $"s{i}");
        // Past the TTL of the first 20 (this wait is the setting under test), with a message every half second so that
        // the stream itself stays alive; then enough at once for the store to trim.
        for (var i = 21; i <= 26; i++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(500));
            await SendAckedAsync(sender, "slow", $"s{i}");
        }
        for (var i = 27; i <= 40; i++)
            await SendAckedAsync(sender, "slow", $"s{i}");

        string epoch;
        await using (var look = await Client.ConnectAsync(server.WebSocketUri("user_id=slow")))
        {
            (epoch, var seq) = UserStream(look.Welcome);
            Assert.Equal(40, seq);
        }
        foreach (var from in new[] { 0, 20 })
        {
            await using var early = await Client.ConnectAsync(server.WebSocketUri($"user_id=slow&resume={epoch}:{from}"));
            var resumed = await early.ReceiveAsync();
            Assert.Equal("resumed", resumed.GetProperty("type").GetString());
            Assert.False(resumed.GetProperty("data").GetProperty("recovered").GetBoolean());
        }
        await using var recent = await Client.ConnectAsync(server.WebSocketUri($"user_id=slow&resume={epoch}:38"));
        Assert.Equal(39, (await recent.ReceiveAsync()).GetProperty("seq").GetInt64());
        Assert.Equal(40, (await recent.ReceiveAsync()).GetProperty("seq").GetInt64());
        Assert.True((await recent.ReceiveAsync()).GetProperty("data").GetProperty("recovered").GetBoolean());
    }

    [Fact]
    public async Task A_resent_message_is_acknowledged_with_its_first_seq_and_delivered_once()
    {
        await using var server = await StartWithHistoryAsync();
        await using var recipient = await Client.ConnectAsync(server.WebSocketUri("user_id=once"));
        await using var sender = await Client.ConnectAsync(server.WebSocketUri("user_id=twice"));

        var first = await SendAckedAsync(sender, "once", "same-id", "one");
        var again = await SendAckedAsync(sender, "once", "same-id", "one");
        var other = await SendAckedAsync(sender, "once", "other-id", "two");

        Assert.Equal(first, again);
        Assert.Equal(first + 1, other);
        Assert.Equal("one", (await recipient.ReceiveAsync()).GetProperty("data").GetString());
        Assert.Equal("two", (await recipient.ReceiveAsync()).GetProperty("data").GetString());
    }

    [Fact]
    public async Task A_receipt_reaches_every_connection_of_the_sender_once_a_device_of_the_recipient_confirms()
    {
        await using var server = await StartWithHistoryAsync();
        await using var phone = await Client.ConnectAsync(server.WebSocketUri("user_id=bob"));
        await using var laptop = await Client.ConnectAsync(server.WebSocketUri("user_id=bob"));
        await using var alice = await Client.ConnectAsync(server.WebSocketUri("user_id=alice"));
        await using var aliceToo = await Client.ConnectAsync(server.WebSocketUri("user_id=alice"));

        await alice.SendAsync("""{"type":"chat","to":"bob","id":"r1","receipt":true,"data":"read me"}""");
        var seq = (await NextAsync(alice, "ack")).GetProperty("data").GetProperty("seq").GetInt64();
        Assert.Equal(seq, (await phone.ReceiveAsync()).GetProperty("seq").GetInt64());
        Assert.Equal(seq, (await laptop.ReceiveAsync()).GetProperty("seq").GetInt64());

        await laptop.SendAsync($$$"""{"type":"received","id":"c1","data":{"seq":{{{seq}}}}}""");
        Assert.Equal("c1", (await NextAsync(laptop, "ack")).GetProperty("id").GetString());
        foreach (var device in new[] { alice, aliceToo })
        {
            var receipt = await NextAsync(device, "receipt");
            Assert.Equal("r1", receipt.GetProperty("id").GetString());
            Assert.Equal("bob", receipt.GetProperty("to").GetString());
            Assert.Equal(seq, receipt.GetProperty("data").GetProperty("seq").GetInt64());
            Assert.Equal("delivered", receipt.GetProperty("data").GetProperty("status").GetString());
        }

        using var user = JsonDocument.Parse(await server.Http.GetStringAsync("/ws/users/bob"));
        Assert.Equal(seq, user.RootElement.GetProperty("seq").GetInt64());
        Assert.Equal(seq, user.RootElement.GetProperty("delivered_seq").GetInt64());

        // The operator's CLI shows the same positions.
        var shown = await Sbctl.RunAsync("--node", server.BaseUri.ToString(), "users", "show", "bob", "--json");
        Assert.True(shown.ExitCode == 0, shown.ToString());
        var stream = shown.Json().GetProperty("stream");
        Assert.Equal(seq, stream.GetProperty("seq").GetInt64());
        Assert.Equal(seq, stream.GetProperty("delivered_seq").GetInt64());
        var table = await Sbctl.RunAsync("--node", server.BaseUri.ToString(), "users", "show", "bob");
        Assert.Contains($"seq {seq}, delivered_seq {seq}", table.Stdout);
    }

    [Fact]
    public async Task A_backend_reads_an_absent_users_stream_and_its_history_over_http()
    {
        await using var server = await StartWithHistoryAsync();
        var content = new StringContent("""{"to":"offline","type":"notice","data":{"n":1}}""", Encoding.UTF8, "application/json");
        Assert.Equal(HttpStatusCode.Accepted, (await server.Http.PostAsync("/ws/message", content)).StatusCode);
        await Eventually.TrueAsync(async () => (await server.Http.GetAsync("/ws/users/offline")).IsSuccessStatusCode,
            "the absent user's stream is kept");

        using var user = JsonDocument.Parse(await server.Http.GetStringAsync("/ws/users/offline"));
        Assert.Equal(0, user.RootElement.GetProperty("connections").GetInt32());
        Assert.Equal(1, user.RootElement.GetProperty("seq").GetInt64());
        using var history = JsonDocument.Parse(await server.Http.GetStringAsync("/ws/users/offline/history?since=0"));
        var message = Assert.Single(history.RootElement.GetProperty("messages").EnumerateArray());
        Assert.Equal(1, message.GetProperty("seq").GetInt64());
        Assert.Equal("server", message.GetProperty("from").GetString());
        Assert.Empty((await ReadJsonAsync(server, "/ws/users/offline/history?since=1")).GetProperty("messages").EnumerateArray());
        Assert.Equal(HttpStatusCode.BadRequest, (await server.Http.GetAsync("/ws/users/offline/history?since=-1")).StatusCode);
    }

    [Fact]
    public async Task With_history_off_a_resume_recovers_nothing_and_receipts_get_history_off()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await using var client = await Client.ConnectAsync(server.WebSocketUri("user_id=plain&resume=abc123:4&resume_groups=g1:abc:2"));
        Assert.False(client.Welcome.GetProperty("data").TryGetProperty("streams", out _));
        var user = await client.ReceiveAsync();
        Assert.Equal("resumed", user.GetProperty("type").GetString());
        Assert.Equal("user", user.GetProperty("data").GetProperty("stream").GetString());
        Assert.False(user.GetProperty("data").GetProperty("recovered").GetBoolean());
        var group = await client.ReceiveAsync();
        Assert.Equal("g1", group.GetProperty("data").GetProperty("group").GetString());
        Assert.False(group.GetProperty("data").GetProperty("recovered").GetBoolean());

        await client.SendAsync("""{"type":"chat","to":"someone","id":1,"receipt":true}""");
        Assert.Equal("history_off", (await NextAsync(client, "error")).GetProperty("data").GetProperty("code").GetString());
        await client.SendAsync("""{"type":"received","id":2,"data":{"seq":1}}""");
        Assert.Equal("history_off", (await NextAsync(client, "error")).GetProperty("data").GetProperty("code").GetString());
        var response = await server.Http.GetAsync("/ws/users/plain/history");
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("history_off", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_malformed_resume_is_refused_before_the_upgrade()
    {
        await using var server = await StartWithHistoryAsync();
        foreach (var query in new[] { "resume=nocolon", "resume=ab:-1", "resume_groups=g1:5" })
        {
            await using var refused = await RawWebSocket.ConnectAsync(server.BaseUri, $"/ws?user_id=bad&{query}");
            Assert.Equal(400, refused.Status);
            Assert.Equal("invalid_resume", JsonDocument.Parse(refused.Body).RootElement.GetProperty("error").GetString());
        }
    }

    [Fact]
    public async Task A_group_stream_resumed_after_a_leave_and_a_join_replays_what_the_member_missed_then_goes_on_live()
    {
        await using var server = await StartWithHistoryAsync();
        await using var member = await Client.ConnectAsync(server.WebSocketUri("user_id=member"));
        await using var talker = await Client.ConnectAsync(server.WebSocketUri("user_id=talker&groups=room"));

        await member.SendAsync("""{"type":"join","group":"room","id":"j1"}""");
        var joined = (await NextAsync(member, "ack")).GetProperty("data");
        var epoch = joined.GetProperty("epoch").GetString()!;
        Assert.Equal(0, joined.GetProperty("seq").GetInt64());
        await talker.SendAsync("""{"type":"chat","group":"room","id":"t1","data":1}""");
        Assert.Equal(1, (await NextAsync(talker, "ack")).GetProperty("data").GetProperty("seq").GetInt64());
        Assert.Equal(1, (await NextAsync(member, "chat")).GetProperty("seq").GetInt64());

        await member.SendAsync("""{"type":"leave","group":"room","id":"l1"}""");
        await NextAsync(member, "ack");
        for (var i = 2; i <= 101; i++)
        {
            await talker.SendAsync($$"""{"type":"chat","group":"room","id":"t{{i}}","data":{{i}}}""");
            await NextAsync(talker, "ack");
        }

        await member.SendAsync("""{"type":"join","group":"room","id":"j2","data":{"resume":{"epoch":"EPOCH","seq":1}}}""".Replace("EPOCH", epoch));
        var ack = await NextAsync(member, "ack");
        Assert.Equal("j2", ack.GetProperty("id").GetString());
        Assert.Equal(101, ack.GetProperty("data").GetProperty("seq").GetInt64());
        for (var i = 2; i <= 101; i++)
        {
            var message = await member.ReceiveAsync();
            Assert.Equal(i, message.GetProperty("seq").GetInt64());
            Assert.Equal("room", message.GetProperty("group").GetString());
        }
        var resumed = await member.ReceiveAsync();
        Assert.Equal("resumed", resumed.GetProperty("type").GetString());
        Assert.Equal("room", resumed.GetProperty("data").GetProperty("group").GetString());
        Assert.True(resumed.GetProperty("data").GetProperty("recovered").GetBoolean());

        await talker.SendAsync("""{"type":"chat","group":"room","data":"live"}""");
        Assert.Equal(102, (await NextAsync(member, "chat")).GetProperty("seq").GetInt64());
    }

    [Fact]
    public async Task Groups_resumed_at_connect_have_their_positions_in_the_welcome_and_replay_after_it()
    {
        await using var server = await StartWithHistoryAsync();
        string epoch;
        await using (var first = await Client.ConnectAsync(server.WebSocketUri("user_id=commuter&groups=news")))
        {
            var news = first.Welcome.GetProperty("data").GetProperty("streams").GetProperty("groups").GetProperty("news");
            epoch = news.GetProperty("epoch").GetString()!;
            Assert.Equal(0, news.GetProperty("seq").GetInt64());
        }

        // Nobody is in the group now: with history it still takes messages, kept for the members to come.
        await using var editor = await Client.ConnectAsync(server.WebSocketUri("user_id=editor"));
        for (var i = 1; i <= 5; i++)
        {
            await editor.SendAsync($$"""{"type":"headline","group":"news","id":{{i}},"data":{{i}}}""");
            Assert.Equal(i, (await NextAsync(editor, "ack")).GetProperty("data").GetProperty("seq").GetInt64());
        }
        var group = await ReadJsonAsync(server, "/ws/groups/news");
        Assert.Equal(0, group.GetProperty("connections").GetInt32());
        Assert.Equal(5, group.GetProperty("seq").GetInt64());
        var history = await ReadJsonAsync(server, "/ws/groups/news/history?since=3");
        Assert.Equal([4L, 5L], history.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("seq").GetInt64()));

        await using var back = await Client.ConnectAsync(server.WebSocketUri($"user_id=commuter&resume_groups=news:{epoch}:2"));
        var position = back.Welcome.GetProperty("data").GetProperty("streams").GetProperty("groups").GetProperty("news");
        Assert.Equal(5, position.GetProperty("seq").GetInt64());
        for (var seq = 3; seq <= 5; seq++)
            Assert.Equal(seq, (await back.ReceiveAsync()).GetProperty("seq").GetInt64());
        var resumed = await back.ReceiveAsync();
        Assert.Equal("news", resumed.GetProperty("data").GetProperty("group").GetString());
        Assert.True(resumed.GetProperty("data").GetProperty("recovered").GetBoolean());
    }

    [Fact]
    public async Task A_thousand_clients_resuming_at_once_each_get_their_own_messages_and_resumed()
    {
        await using var server = await StartWithHistoryAsync();
        const int clients = 1_000;
        var epochs = new string[clients];
        await Parallel.ForEachAsync(Enumerable.Range(0, clients), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, _) =>
            epochs[i] = (await FirstVisitAsync(server, $"crowd-{i}")).Epoch);

        await using var sender = await Client.ConnectAsync(server.WebSocketUri("user_id=announcer"));
        for (var i = 0; i < clients; i++)
        {
            await sender.SendAsync($$"""{"type":"note","to":"crowd-{{i}}","data":"first {{i}}"}""");
            await sender.SendAsync($$"""{"type":"note","to":"crowd-{{i}}","id":{{i}},"data":"second {{i}}"}""");
        }
        for (var i = 0; i < clients; i++)
            await NextAsync(sender, "ack");

        var back = await Task.WhenAll(Enumerable.Range(0, clients).Select(i =>
            Client.ConnectAsync(server.WebSocketUri($"user_id=crowd-{i}&resume={epochs[i]}:0"))));
        try
        {
            await Task.WhenAll(back.Select(async (client, i) =>
            {
                Assert.Equal($"first {i}", (await client.ReceiveAsync()).GetProperty("data").GetString());
                Assert.Equal($"second {i}", (await client.ReceiveAsync()).GetProperty("data").GetString());
                var resumed = await client.ReceiveAsync();
                Assert.True(resumed.GetProperty("data").GetProperty("recovered").GetBoolean());
                Assert.Equal(2, resumed.GetProperty("data").GetProperty("seq").GetInt64());
            }));
        }
        finally
        {
            await Task.WhenAll(back.Select(c => c.DisposeAsync().AsTask()));
        }
    }

    // Connects once, so that the user has a stream and knows its epoch, then leaves.
    protected static async Task<(string Epoch, long Seq)> FirstVisitAsync(SwitchboardServer server, string user)
    {
        await using var first = await Client.ConnectAsync(server.WebSocketUri($"user_id={user}"));
        return UserStream(first.Welcome);
    }

    protected static async Task<JsonElement> ReadJsonAsync(SwitchboardServer server, string path) =>
        JsonDocument.Parse(await server.Http.GetStringAsync(path)).RootElement.Clone();
}

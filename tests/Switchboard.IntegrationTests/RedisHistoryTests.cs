using System.Net;
using System.Text;
using System.Text.Json;
using Switchboard.IntegrationTests.Support;

namespace Switchboard.IntegrationTests;

/// <summary>
/// History:Store=redis on one node against a real redis-server: every <see cref="HistoryTests"/> case again, a node that
/// restarts continuing the stream from Redis under the same epoch, and Redis stopped under each History:OnStoreFailure.
/// </summary>
public sealed class RedisHistoryTests : HistoryTests, IAsyncLifetime
{
    private RedisServer _redis = null!;

    public async Task InitializeAsync() => _redis = await RedisServer.StartAsync();

    public async Task DisposeAsync() => await _redis.DisposeAsync();

    protected override bool KeepsOnTheNode => false;

    protected override Task<SwitchboardServer> StartWithHistoryAsync(int size = 200, TimeSpan? ttl = null) => StartAsync(size, ttl: ttl);

    private Task<SwitchboardServer> StartAsync(int size = 200, string onFailure = "deliver", TimeSpan? ttl = null) =>
        SwitchboardServer.StartAsync(o => o with
        {
            HistorySize = size, HistoryTtl = ttl ?? o.HistoryTtl, HistoryStore = "redis", HistoryRedis = _redis.ConnectionString,
            HistoryOnStoreFailure = onFailure,
        });

    [Fact]
    public async Task A_node_started_again_continues_the_stream_kept_in_redis_under_the_same_epoch()
    {
        string epoch;
        await using (var first = await StartAsync())
        {
            (epoch, _) = await FirstVisitAsync(first, "kept");
            await using var sender = await Client.ConnectAsync(first.WebSocketUri("user_id=author"));
            for (var i = 1; i <= 20; i++)
                Assert.Equal(i, await SendAckedAsync(sender, "kept", $"k{i}", $"t{i}"));
        }

        await using var second = await StartAsync();
        await using var back = await Client.ConnectAsync(second.WebSocketUri($"user_id=kept&resume={epoch}:5"));
        Assert.Equal((epoch, 20L), UserStream(back.Welcome));
        for (var i = 6; i <= 20; i++)
        {
            var message = await back.ReceiveAsync();
            Assert.Equal(i, message.GetProperty("seq").GetInt64());
            Assert.Equal($"t{i}", message.GetProperty("data").GetString());
        }
        var resumed = await back.ReceiveAsync();
        Assert.True(resumed.GetProperty("data").GetProperty("recovered").GetBoolean());
        Assert.Equal(epoch, resumed.GetProperty("data").GetProperty("epoch").GetString());

        // The resend ids are in Redis too: the new node answers a resend with its first seq, and numbers on from 20.
        await using var sender2 = await Client.ConnectAsync(second.WebSocketUri("user_id=author"));
        Assert.Equal(3, await SendAckedAsync(sender2, "kept", "k3", "t3"));
        Assert.Equal(21, await SendAckedAsync(sender2, "kept", "k21", "t21"));
        Assert.Equal(21, (await NextAsync(back, "chat")).GetProperty("seq").GetInt64());
    }

    [Fact]
    public async Task With_deliver_messages_go_on_without_seq_while_redis_is_down_and_the_stream_resets_afterwards()
    {
        await using var server = await StartAsync(onFailure: "deliver");
        await using var recipient = await Client.ConnectAsync(server.WebSocketUri("user_id=steady"));
        var (epoch, _) = UserStream(recipient.Welcome);
        await using var sender = await Client.ConnectAsync(server.WebSocketUri("user_id=talker"));
        Assert.Equal(1, await SendAckedAsync(sender, "steady", "d1", "before"));
        Assert.Equal(1, (await NextAsync(recipient, "chat")).GetProperty("seq").GetInt64());

        await _redis.StopAsync();
        await sender.SendAsync("""{"type":"chat","to":"steady","id":"d2","data":"during"}""");
        var ack = await NextAsync(sender, "ack");
        Assert.Equal("d2", ack.GetProperty("id").GetString());
        Assert.False(ack.TryGetProperty("data", out _));
        var during = await NextAsync(recipient, "chat");
        Assert.Equal("during", during.GetProperty("data").GetString());
        Assert.False(during.TryGetProperty("seq", out _));
        // One call failed: the append of d2.
        var scrape = await Exposition.ScrapeAsync(server.Http, server.BaseUri);
        Assert.Equal(1, scrape.Value("switchboard_history_store_failures_total"));
        Assert.Equal(HttpStatusCode.OK, (await server.Http.GetAsync("/ws/health")).StatusCode);

        // Redis back (empty: it kept nothing on disk): the stream goes on under a new epoch, announced before its next message.
        await _redis.StartAgainAsync();
        var attempt = 0;
        await Eventually.TrueAsync(async () =>
        {
            await sender.SendAsync($$"""{"type":"chat","to":"steady","id":"after{{++attempt}}","data":"after"}""");
            var ack = await NextAsync(sender, "ack");
            while (ack.GetProperty("id").GetString() != $"after{attempt}")
                ack = await NextAsync(sender, "ack");
            return ack.TryGetProperty("data", out _);
        }, "the store numbers messages again");
        JsonElement reset;
        do
            reset = await recipient.ReceiveAsync();
        while (reset.GetProperty("type").GetString() != "stream_reset");
        Assert.NotEqual(epoch, reset.GetProperty("data").GetProperty("epoch").GetString());
        Assert.Equal(0, reset.GetProperty("data").GetProperty("seq").GetInt64());
        var after = await NextAsync(recipient, "chat");
        Assert.Equal(1, after.GetProperty("seq").GetInt64());
    }

    [Fact]
    public async Task With_deliver_a_message_redis_refused_to_keep_makes_the_stream_start_again_under_a_new_epoch()
    {
        await using var server = await StartAsync(onFailure: "deliver");
        await using var recipient = await Client.ConnectAsync(server.WebSocketUri("user_id=gapped"));
        var (epoch, _) = UserStream(recipient.Welcome);
        await using var sender = await Client.ConnectAsync(server.WebSocketUri("user_id=source"));
        Assert.Equal(1, await SendAckedAsync(sender, "gapped", "g1", "kept"));

        // Redis up but refusing writes (out of memory): the message goes out unnumbered; Redis keeps what it had.
        Assert.Contains("OK", await _redis.CommandAsync("CONFIG", "SET", "maxmemory", "1"));
        await sender.SendAsync("""{"type":"chat","to":"gapped","id":"g2","data":"unkept"}""");
        Assert.False((await NextAsync(sender, "ack")).TryGetProperty("data", out _));
        Assert.Equal(1, (await NextAsync(recipient, "chat")).GetProperty("seq").GetInt64());
        Assert.False((await NextAsync(recipient, "chat")).TryGetProperty("seq", out _));
        Assert.Contains("OK", await _redis.CommandAsync("CONFIG", "SET", "maxmemory", "0"));

        // The stream has a gap where that message was, so it starts again: stream_reset, then seq 1 under a new epoch.
        Assert.Equal(1, await SendAckedAsync(sender, "gapped", "g3", "after"));
        var reset = await recipient.ReceiveAsync();
        Assert.Equal("stream_reset", reset.GetProperty("type").GetString());
        var newEpoch = reset.GetProperty("data").GetProperty("epoch").GetString();
        Assert.NotEqual(epoch, newEpoch);
        var after = await NextAsync(recipient, "chat");
        Assert.Equal((1L, "after"), (after.GetProperty("seq").GetInt64(), after.GetProperty("data").GetString()));
        Assert.Equal(1, (await Exposition.ScrapeAsync(server.Http, server.BaseUri)).Value("switchboard_history_store_failures_total"));

        // A resume under the old epoch recovers nothing; under the new one it does.
        await using var old = await Client.ConnectAsync(server.WebSocketUri($"user_id=gapped&resume={epoch}:1"));
        Assert.False((await NextAsync(old, "resumed")).GetProperty("data").GetProperty("recovered").GetBoolean());
        await using var fresh = await Client.ConnectAsync(server.WebSocketUri($"user_id=gapped&resume={newEpoch}:0"));
        Assert.Equal("after", (await fresh.ReceiveAsync()).GetProperty("data").GetString());
        Assert.True((await NextAsync(fresh, "resumed")).GetProperty("data").GetProperty("recovered").GetBoolean());
    }

    [Fact]
    public async Task With_refuse_a_message_gets_unavailable_while_redis_is_down_and_the_node_keeps_serving()
    {
        await using var server = await StartAsync(onFailure: "refuse");
        await using var recipient = await Client.ConnectAsync(server.WebSocketUri("user_id=guarded"));
        await using var sender = await Client.ConnectAsync(server.WebSocketUri("user_id=writer"));
        Assert.Equal(1, await SendAckedAsync(sender, "guarded", "r1"));

        await _redis.StopAsync();
        await sender.SendAsync("""{"type":"chat","to":"guarded","id":"r2","data":"refused"}""");
        var error = await NextAsync(sender, "error");
        Assert.Equal("r2", error.GetProperty("id").GetString());
        Assert.Equal("unavailable", error.GetProperty("data").GetProperty("code").GetString());
        // A join while Redis is down is answered all the same (with a position nobody holds).
        await sender.SendAsync("""{"type":"join","group":"room","id":"j1"}""");
        Assert.Equal("j1", (await NextAsync(sender, "ack")).GetProperty("id").GetString());
        await sender.SendAsync("""{"type":"chat","group":"room","id":"r3","data":"refused too"}""");
        Assert.Equal("unavailable", (await NextAsync(sender, "error")).GetProperty("data").GetProperty("code").GetString());

        var http = await server.Http.PostAsync("/ws/message",
            new StringContent("""{"type":"chat","to":"guarded","data":"api"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, http.StatusCode);
        Assert.Contains("unavailable", await http.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await server.Http.GetAsync("/ws/users/guarded/history?since=0")).StatusCode);

        // Four calls failed: the appends of r2 and r3, the join's read and the history read; the POST made none.
        var scrape = await Exposition.ScrapeAsync(server.Http, server.BaseUri);
        Assert.Equal(4, scrape.Value("switchboard_history_store_failures_total"));
        Assert.Equal(HttpStatusCode.OK, (await server.Http.GetAsync("/ws/health")).StatusCode);
        await using var another = await Client.ConnectAsync(server.WebSocketUri("user_id=newcomer"));
        Assert.Equal("welcome", another.Welcome.GetProperty("type").GetString());

        // Redis back: messages are numbered again, and the refused ones were never delivered.
        await _redis.StartAgainAsync();
        var attempt = 0;
        await Eventually.TrueAsync(async () =>
        {
            await sender.SendAsync($$"""{"type":"chat","to":"guarded","id":"back{{++attempt}}","data":"back"}""");
            // The answer to this attempt (the join's ack may still come before it).
            var answer = await sender.ReceiveAsync();
            while (answer.GetProperty("type").GetString() is not ("ack" or "error")
                   || !answer.TryGetProperty("id", out var id) || id.GetString() != $"back{attempt}")
                answer = await sender.ReceiveAsync();
            return answer.GetProperty("type").GetString() == "ack";
        }, "the store takes messages again");
        var delivered = new List<string>();
        while (delivered.LastOrDefault() != "back")
        {
            var frame = await recipient.ReceiveAsync();
            if (frame.GetProperty("type").GetString() == "chat")
                delivered.Add(frame.GetProperty("data").GetString()!);
        }
        Assert.DoesNotContain("refused", delivered);
    }
}

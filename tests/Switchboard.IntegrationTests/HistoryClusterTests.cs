using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Switchboard.Actors.Routing;
using Switchboard.IntegrationTests.Support;
using Xunit.Abstractions;

namespace Switchboard.IntegrationTests;

/// <summary>
/// The user stream across the three-node script with the memory store: a user resumes on another node than the one it
/// left and than the one its messages came in on (and a member rejoins a group with data.resume on a third); when the node holding the user's stream is killed and downed, the
/// stream starts again under a new epoch: a connected device gets stream_reset before the next message, and a resume
/// from the old epoch says it recovered nothing. With the Redis store the stream goes on: same epoch, nothing lost.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class HistoryClusterTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_user_resumes_on_any_node_and_a_lost_stream_keeper_means_a_new_epoch()
    {
        await ResumeAfterTheKeeperIsLostAsync(null, async (staying, epoch, survivor) =>
        {
            // The stream starts again, and the device still connected hears so before the next message.
            await using (var sender = await Client.ConnectAsync(new Uri($"{survivor}?user_id=postman")))
            {
                await sender.SendAsync("""{"type":"chat","to":"roamer","id":"after","data":"after"}""");
                Assert.Equal(1, (await sender.ReceiveAsync()).GetProperty("data").GetProperty("seq").GetInt64());
            }
            var reset = await staying.ReceiveAsync();
            Assert.Equal("stream_reset", reset.GetProperty("type").GetString());
            Assert.Equal("user", reset.GetProperty("data").GetProperty("stream").GetString());
            Assert.NotEqual(epoch, reset.GetProperty("data").GetProperty("epoch").GetString());
            var next = await staying.ReceiveAsync();
            Assert.Equal(1, next.GetProperty("seq").GetInt64());
            Assert.Equal("after", next.GetProperty("data").GetString());

            await using var after = await Client.ConnectAsync(new Uri($"{survivor}?user_id=roamer&resume={epoch}:100"));
            // The old epoch is gone: nothing to replay, and the position is the new stream's.
            var resumed = await after.ReceiveAsync();
            Assert.Equal("resumed", resumed.GetProperty("type").GetString());
            Assert.False(resumed.GetProperty("data").GetProperty("recovered").GetBoolean());
            var newEpoch = resumed.GetProperty("data").GetProperty("epoch").GetString();
            Assert.Equal(reset.GetProperty("data").GetProperty("epoch").GetString(), newEpoch);
            Assert.Equal(1, resumed.GetProperty("data").GetProperty("seq").GetInt64());
            Assert.Equal(newEpoch,
                after.Welcome.GetProperty("data").GetProperty("streams").GetProperty("user").GetProperty("epoch").GetString());
        });
    }

    /// <summary>With History:Store=redis the stream outlives its keeper: the new owner goes on with the same epoch and numbers.</summary>
    [Fact]
    public async Task With_the_redis_store_a_lost_stream_keeper_loses_nothing_and_the_numbers_go_on()
    {
        await using var redis = await RedisServer.StartAsync();
        await ResumeAfterTheKeeperIsLostAsync(redis, async (staying, epoch, survivor) =>
        {
            await using var after = await Client.ConnectAsync(new Uri($"{survivor}?user_id=roamer&resume={epoch}:0"));
            Assert.Equal(epoch, after.Welcome.GetProperty("data").GetProperty("streams").GetProperty("user").GetProperty("epoch").GetString());
            for (var i = 1; i <= 100; i++)
            {
                var message = await after.ReceiveAsync();
                Assert.Equal(i, message.GetProperty("seq").GetInt64());
                Assert.Equal(i, message.GetProperty("data").GetInt32());
            }
            var resumed = await after.ReceiveAsync();
            Assert.Equal("resumed", resumed.GetProperty("type").GetString());
            Assert.True(resumed.GetProperty("data").GetProperty("recovered").GetBoolean());
            Assert.Equal(epoch, resumed.GetProperty("data").GetProperty("epoch").GetString());
            Assert.Equal(100, resumed.GetProperty("data").GetProperty("seq").GetInt64());

            // A resend of a message numbered by the lost keeper gets its first seq; a new one is 101, with no gap or repeat,
            // and the device that stayed connected gets it with no stream_reset before it.
            await using var sender = await Client.ConnectAsync(new Uri($"{survivor}?user_id=postman"));
            await sender.SendAsync("""{"type":"chat","to":"roamer","id":7,"data":7}""");
            Assert.Equal(7, (await sender.ReceiveAsync()).GetProperty("data").GetProperty("seq").GetInt64());
            await sender.SendAsync("""{"type":"chat","to":"roamer","id":101,"data":101}""");
            Assert.Equal(101, (await sender.ReceiveAsync()).GetProperty("data").GetProperty("seq").GetInt64());
            foreach (var device in new[] { after, staying })
            {
                var live = await device.ReceiveAsync();
                Assert.Equal("chat", live.GetProperty("type").GetString());
                Assert.Equal((101L, 101), (live.GetProperty("seq").GetInt64(), live.GetProperty("data").GetInt32()));
            }
        });
    }

    /// <summary>
    /// With History:Store=redis, every node restarted in turn by the script while users in a ring keep messaging each
    /// other: users whose node goes resume wherever they land, senders resend what was not acknowledged, and every user
    /// gets every message exactly once, in order, in one epoch.
    /// </summary>
    [Fact]
    public async Task With_the_redis_store_a_rolling_restart_under_traffic_delivers_every_message_once_in_order()
    {
        await using var redis = await RedisServer.StartAsync();
        var (_, httpBase, environment) = ClusterScript.Prepare(
            ("WEBSOCKET_HISTORY_SIZE", "5000"), ("HISTORY_STORE", "redis"), ("HISTORY_REDIS", redis.ConnectionString));
        try
        {
            await ClusterScript.StartAsync(environment, httpBase);
            await using var traffic = await ResumingTraffic.StartAsync(
                Enumerable.Range(0, 3).Select(n => $"ws://127.0.0.1:{httpBase + n}/ws").ToList(), usersPerNode: 2);
            for (var node = 1; node <= 3; node++)
            {
                await traffic.FlowingAsync(more: 20);
                await ClusterScript.RestartAsync(environment, httpBase, node);
            }
            await traffic.FlowingAsync(more: 20);
            await traffic.StopAsync();

            foreach (var (user, acked, received, resumes) in traffic.Tally)
                output.WriteLine($"{user}: {acked} sent to it and acknowledged, {received} received, {resumes} resumes");
            foreach (var violation in traffic.Violations)
                output.WriteLine(violation);
            Assert.Empty(traffic.Violations);
            Assert.All(traffic.Tally, t => Assert.Equal(t.Acked, t.Received));
            Assert.All(traffic.Tally, t => Assert.True(t.Resumes > 0, $"{t.User} resumed"));
        }
        finally
        {
            Assert.Equal(0, await ClusterScript.RunAsync("stop", environment));
        }
    }

    // 100 messages to a user from another node and a resume on a third; then, with a device of the user connected to a
    // survivor, the node holding the user's shard killed and downed; then check (that device, the first epoch, the
    // survivor's URL).
    private static async Task ResumeAfterTheKeeperIsLostAsync(RedisServer? redis, Func<Client, string, string, Task> check)
    {
        var settings = new List<(string, string)> { ("WEBSOCKET_HISTORY_SIZE", "500") };
        if (redis is not null)
            settings.AddRange([("HISTORY_STORE", "redis"), ("HISTORY_REDIS", redis.ConnectionString)]);
        var (run, httpBase, environment) = ClusterScript.Prepare([.. settings]);
        var ws = Enumerable.Range(0, 3).Select(n => $"ws://127.0.0.1:{httpBase + n}/ws").ToArray();
        try
        {
            await ClusterScript.StartAsync(environment, httpBase);
            string epoch;
            await using (var first = await Client.ConnectAsync(new Uri($"{ws[0]}?user_id=roamer")))
                epoch = first.Welcome.GetProperty("data").GetProperty("streams").GetProperty("user").GetProperty("epoch").GetString()!;

            await using (var sender = await Client.ConnectAsync(new Uri($"{ws[1]}?user_id=postman")))
            {
                for (var i = 1; i <= 100; i++)
                {
                    await sender.SendAsync($$"""{"type":"chat","to":"roamer","id":{{i}},"data":{{i}}}""");
                    var ack = await sender.ReceiveAsync();
                    Assert.Equal(i, ack.GetProperty("data").GetProperty("seq").GetInt64());
                }
            }

            await using (var back = await Client.ConnectAsync(new Uri($"{ws[2]}?user_id=roamer&resume={epoch}:0")))
            {
                for (var i = 1; i <= 100; i++)
                    Assert.Equal(i, (await back.ReceiveAsync()).GetProperty("data").GetInt32());
                Assert.True((await back.ReceiveAsync()).GetProperty("data").GetProperty("recovered").GetBoolean());
            }
            await GroupResumedByJoinOnAnotherNodeAsync(ws);

            // Kill the node whose user shard holds the stream while a device of the user stays connected elsewhere, and down it.
            var keeper = await KeeperOfAsync(httpBase, int.Parse(environment["REMOTE_BASE"]), "roamer");
            var survivor = (keeper + 1) % 3;
            await using var staying = await Client.ConnectAsync(new Uri($"{ws[survivor]}?user_id=roamer"));
            Process.GetProcessById(int.Parse(File.ReadAllText(Path.Combine(run, $"node{keeper + 1}.pid")).Trim())).Kill();
            using var http = new HttpClient();
            await Eventually.TrueAsync(async () =>
                (await http.PostAsync($"http://127.0.0.1:{httpBase + survivor}/ws/admin/cluster/down-unreachable", JsonContent.Create(new { })))
                .IsSuccessStatusCode && (await http.GetFromJsonAsync<JsonElement>($"http://127.0.0.1:{httpBase + survivor}/ws/health"))
                .GetProperty("cluster_members").GetInt32() == 2, "the killed node is downed");

            await check(staying, epoch, ws[survivor]);
        }
        finally
        {
            Assert.Equal(0, await ClusterScript.RunAsync("stop", environment));
        }
    }

    // A member joins a group on one node and leaves; 100 messages go to the group from another; a join with data.resume
    // on the third replays exactly those, in order, before its resumed.
    private static async Task GroupResumedByJoinOnAnotherNodeAsync(string[] ws)
    {
        string epoch;
        await using (var member = await Client.ConnectAsync(new Uri($"{ws[0]}?user_id=wanderer&groups=quay")))
            epoch = member.Welcome.GetProperty("data").GetProperty("streams").GetProperty("groups").GetProperty("quay")
                .GetProperty("epoch").GetString()!;
        await using (var talker = await Client.ConnectAsync(new Uri($"{ws[1]}?user_id=caller&groups=quay")))
        {
            for (var i = 1; i <= 100; i++)
            {
                await talker.SendAsync($$"""{"type":"chat","group":"quay","id":{{i}},"data":{{i}}}""");
                JsonElement sent;
                do
                    sent = await talker.ReceiveAsync(); // the talker, a member, gets its own message too
                while (sent.GetProperty("type").GetString() != "ack");
                Assert.Equal(i, sent.GetProperty("data").GetProperty("seq").GetInt64());
            }
        }
        await using var back = await Client.ConnectAsync(new Uri($"{ws[2]}?user_id=wanderer"));
        await back.SendAsync("""{"type":"join","group":"quay","id":"j","data":{"resume":{"epoch":"EPOCH","seq":0}}}""".Replace("EPOCH", epoch));
        var ack = await back.ReceiveAsync();
        Assert.Equal(("ack", 100L), (ack.GetProperty("type").GetString(), ack.GetProperty("data").GetProperty("seq").GetInt64()));
        for (var i = 1; i <= 100; i++)
        {
            var message = await back.ReceiveAsync();
            Assert.Equal((i, "quay"), (message.GetProperty("data").GetInt32(), message.GetProperty("group").GetString()));
        }
        var resumed = await back.ReceiveAsync();
        Assert.Equal("resumed", resumed.GetProperty("type").GetString());
        Assert.True(resumed.GetProperty("data").GetProperty("recovered").GetBoolean());
    }

    // The node (0-based) whose user region hosts the shard of the user's bucket, as the admin API lists shards.
    private static async Task<int> KeeperOfAsync(int httpBase, int remoteBase, string user)
    {
        var shard = new UserMessageExtractor(16).ShardId(UserBuckets.EntityIdOf(user));
        using var http = new HttpClient();
        var view = await http.GetFromJsonAsync<JsonElement>($"http://127.0.0.1:{httpBase}/ws/admin/sharding/regions/user/shards");
        var node = view.GetProperty("nodes").EnumerateArray()
            .Single(n => n.GetProperty("shards").EnumerateArray().Any(s => s.GetProperty("shard_id").GetString() == shard))
            .GetProperty("node").GetString()!;
        return Enumerable.Range(0, 3).Single(n => node.EndsWith($":{remoteBase + n}", StringComparison.Ordinal));
    }
}

using System.Text.Json;
using Switchboard.IntegrationTests.Support;
using Xunit.Abstractions;

namespace Switchboard.IntegrationTests;

/// <summary>
/// A group's presence events bounded by the deliveries they cost (PROTOCOL.md "Presence"). The test is about
/// Presence:EventDeliveriesPerSecond, so it sets it: at 100, every event of a group past 100 members costs more than a
/// second's budget on its own, so what the members get does not depend on how fast the joins come.
/// </summary>
public sealed class PresenceCoalescingTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_join_storm_past_the_groups_budget_reaches_members_as_coalesced_stats_with_resync()
    {
        await using var server = await SwitchboardServer.StartAsync(configuration: new Dictionary<string, string?>
        {
            ["Namespaces:Rules:room:Presence"] = "true",
            ["Namespaces:Rules:room:PresenceEvents"] = "true",
            ["Presence:EventDeliveriesPerSecond"] = "100",
        });
        await using var watcher = await Client.ConnectAsync(server.WebSocketUri("user_id=watcher&groups=room:storm"));
        var clients = new List<Client>();
        try
        {
            foreach (var batch in Enumerable.Range(0, 300).Chunk(50))
                clients.AddRange(await Task.WhenAll(batch.Select(i => Client.ConnectAsync(server.WebSocketUri($"user_id=storm{i}&groups=room:storm")))));
            var events = 0;
            JsonElement coalesced;
            while (true)
            {
                var frame = await Frames.NextAsync(watcher);
                if (frame.GetProperty("type").GetString() == "presence_stats")
                {
                    coalesced = frame.GetProperty("data");
                    break;
                }
                events++;
            }
            output.WriteLine($"{events} join events before the first coalesced stats");
            Assert.True(events <= 101, $"{events} events: none of a group past 100 members fits a budget of 100");
            Assert.True(coalesced.GetProperty("coalesced").GetBoolean());
            Assert.True(coalesced.GetProperty("resync").GetBoolean());
            Assert.False(coalesced.TryGetProperty("from", out _));
            await Eventually.TrueAsync(async () =>
            {
                var id = Guid.NewGuid().ToString("N");
                var stats = await Frames.AnswerAsync(watcher, $$"""{"type":"presence_stats","group":"room:storm","id":"{{id}}"}""", id);
                return stats.GetProperty("data").GetProperty("connections").GetInt32() == 301;
            }, "every connection of the storm is counted");
        }
        finally
        {
            await Task.WhenAll(clients.Select(c => c.DisposeAsync().AsTask()));
        }
    }
}

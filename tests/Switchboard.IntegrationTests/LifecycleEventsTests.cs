using System.Net.WebSockets;
using System.Text.Json;
using Switchboard.IntegrationTests.Support;
using static Switchboard.IntegrationTests.Support.LifecycleEvents;

namespace Switchboard.IntegrationTests;

/// <summary>
/// Lifecycle events from one node process to the test backend process, which checks every signature with its own code
/// (PROTOCOL.md "Lifecycle events"): their shape and order, a backend that is down, the MaxPending bound.
/// </summary>
public sealed class LifecycleEventsTests
{
    [Fact]
    public async Task A_connections_life_arrives_signed_in_order_with_the_contracts_fields()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var node = ServiceProcess.Start(Settings(backend));
        await node.WaitUntilHealthyAsync();
        var run = Guid.NewGuid().ToString("N")[..8];
        var client = await Client.ConnectAsync(new Uri($"ws://{node.BaseUri.Authority}/ws?user_id=life-{run}&groups=a-{run}"));
        await client.SendAsync($$"""{"type":"join","group":"b-{{run}}","id":"j1"}""");
        Assert.Equal("ack", (await client.ReceiveAsync()).Type());
        await client.SendAsync($$"""{"type":"leave","group":"a-{{run}}","id":"l1"}""");
        Assert.Equal("ack", (await client.ReceiveAsync()).Type());
        var connectionId = client.ConnectionId;
        await client.Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
        client.Socket.Dispose();

        var events = await UntilAsync(backend, e => Line(e, connectionId).Contains("disconnected"), "the connection's disconnected came");
        Assert.Equal(["connected", $"joined:a-{run}", $"joined:b-{run}", $"left:a-{run}", "disconnected"], Line(events, connectionId));
        var mine = Distinct(events).Where(e => e.Str("connection_id") == connectionId).ToList();
        var nodeName = client.Welcome.GetProperty("data").GetProperty("node").GetString();
        foreach (var e in mine)
        {
            Assert.Equal(
                ["id", "type", "user_id", "connection_id", "node", "group", "at", "data"],
                e.EnumerateObject().Select(p => p.Name).ToArray());
            Assert.Equal($"life-{run}", e.Str("user_id"));
            Assert.Equal(nodeName, e.Str("node"));
            Assert.True(e.GetProperty("at").GetInt64() > 1_700_000_000_000);
        }
        Assert.Equal(JsonValueKind.Null, mine[0].GetProperty("data").GetProperty("info").ValueKind);
        var disconnected = mine[^1].GetProperty("data");
        Assert.Equal(1000, disconnected.GetProperty("code").GetInt32());
        Assert.Equal("", disconnected.GetProperty("reason").GetString());
        Assert.True(disconnected.GetProperty("duration_ms").GetInt64() >= 0);
        Assert.Equal(mine.Count, mine.Select(e => e.Str("id")).Distinct().Count());
    }

    [Fact]
    public async Task A_batch_signed_with_a_secret_the_backend_does_not_hold_is_refused_and_sent_again()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var node = ServiceProcess.Start(Settings(backend, ("Hooks__Secrets", "another-secret-0123456789abcdef-0123456789")));
        await node.WaitUntilHealthyAsync();
        await (await Client.ConnectAsync(new Uri($"ws://{node.BaseUri.Authority}/ws?user_id=unsigned"))).DisposeAsync();

        await Eventually.TrueAsync(async () => (await StatsAsync(node)).GetProperty("retried").GetInt64() >= 2, "the refused batch is sent again");
        Assert.Empty(await backend.EventsAsync());
        Assert.Equal(0, (await StatsAsync(node)).GetProperty("sent").GetInt64());
        Assert.Equal(2, (await StatsAsync(node)).GetProperty("pending").GetInt64());
    }

    [Fact]
    public async Task The_backend_down_for_30_seconds_loses_nothing_once_it_is_back()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var node = ServiceProcess.Start(Settings(backend));
        await node.WaitUntilHealthyAsync();
        var run = Guid.NewGuid().ToString("N")[..8];
        var before = await Client.ConnectAsync(new Uri($"ws://{node.BaseUri.Authority}/ws?user_id=before-{run}"));
        // Taken and answered: the node waits for nothing when the backend goes.
        await Eventually.TrueAsync(async () => await StatsAsync(node) is var s
            && s.GetProperty("sent").GetInt64() == 1 && s.GetProperty("pending").GetInt64() == 0, "the first connection's connected was taken");

        await backend.StopAsync();
        var connections = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            await using var client = await Client.ConnectAsync(new Uri($"ws://{node.BaseUri.Authority}/ws?user_id=down-{run}-{i}&groups=g-{run}"));
            await client.SendAsync($$"""{"type":"leave","group":"g-{{run}}","id":"l"}""");
            Assert.Equal("ack", (await client.ReceiveAsync()).Type());
            connections.Add(client.ConnectionId);
        }
        await before.DisposeAsync();
        await Eventually.TrueAsync(async () => (await StatsAsync(node)).GetProperty("pending").GetInt64() == 81,
            "every event made while the backend is down waits");
        // The outage itself is what the issue asks for: 30 s of failing attempts, backing off.
        await Task.Delay(TimeSpan.FromSeconds(30));
        Assert.True((await StatsAsync(node)).GetProperty("retried").GetInt64() >= 4);
        await backend.StartAgainAsync();

        var events = await UntilAsync(backend, e => Line(e, before.ConnectionId).Contains("disconnected")
            && connections.All(c => Line(e, c).Contains("disconnected")), "every event made during the outage came");
        // The backend started again remembers only what came since: the first connection's disconnected.
        Assert.Equal(["disconnected"], Line(events, before.ConnectionId));
        foreach (var connection in connections)
            Assert.Equal(["connected", $"joined:g-{run}", $"left:g-{run}", "disconnected"], Line(events, connection));
        Assert.DoesNotContain(events, e => e.Type() == "events_dropped");
        Assert.Equal(0, (await StatsAsync(node)).GetProperty("dropped").GetInt64());
    }

    [Fact]
    public async Task Past_MaxPending_the_oldest_are_dropped_and_the_next_batch_begins_with_how_many()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var node = ServiceProcess.Start(Settings(backend, ("Events__MaxPending", "5")));
        await node.WaitUntilHealthyAsync();
        await backend.StopAsync();
        var run = Guid.NewGuid().ToString("N")[..8];
        var connections = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            await using (var client = await Client.ConnectAsync(new Uri($"ws://{node.BaseUri.Authority}/ws?user_id=bound-{run}-{i}")))
                connections.Add(client.ConnectionId);
            // One connection's two events made before the next connection's: the order of the twelve is known.
            var made = 2 * (i + 1);
            await Eventually.TrueAsync(async () => await StatsAsync(node) is var s
                && s.GetProperty("pending").GetInt64() + s.GetProperty("dropped").GetInt64() == made, $"{made} events were made");
        }
        // 5 wait, the 7 oldest were dropped.
        await Eventually.TrueAsync(async () => (await StatsAsync(node)).GetProperty("dropped").GetInt64() == 7, "the oldest are dropped");
        Assert.Equal(5, (await StatsAsync(node)).GetProperty("pending").GetInt64());
        await backend.StartAgainAsync();

        var events = await UntilAsync(backend, e => Line(e, connections[^1]).Contains("disconnected"), "the newest event came");
        var taken = Distinct(events);
        Assert.Equal("events_dropped", taken[0].Type());
        Assert.Equal(7, taken[0].GetProperty("data").GetProperty("count").GetInt64());
        // What is left is the newest five: the fourth connection's disconnected, the last two's connected and disconnected.
        Assert.Equal(
            [$"disconnected", "connected", "disconnected", "connected", "disconnected"],
            taken.Skip(1).Select(e => e.Type()).ToArray());
        Assert.Equal(new[] { connections[3], connections[4], connections[4], connections[5], connections[5] },
            taken.Skip(1).Select(e => e.Str("connection_id")!).ToArray());
        Assert.Single(taken, e => e.Type() == "events_dropped");
    }

    [Fact]
    public async Task Events_Url_without_a_secret_stops_start_up_naming_the_setting()
    {
        await using var node = ServiceProcess.Start(new Dictionary<string, string>
        {
            ["Events__Url"] = "http://127.0.0.1:9/events", ["Events__BatchSize"] = "0",
        });
        Assert.NotEqual(0, await node.WaitForExitAsync());
        Assert.Contains("Events:Url: every batch of events is signed", node.Output);
        Assert.Contains("Events:BatchSize=\"0\"", node.Output);
    }
}

using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Switchboard.Client.Tests.Support;

namespace Switchboard.Client.Tests;

/// <summary>
/// Reserved types (PROTOCOL.md "Reserved types"): the client never routes one, and never acts on one routed to it.
/// Sends go to a real node; forged frames come from a <see cref="StandIn"/>, since the service refuses to route them:
/// it gives a real welcome, then frames of reserved types carrying <c>from</c>, as a message kept in history from
/// before the rule would.
/// </summary>
[Collection(SharedNode.Collection)]
public sealed class ReservedTypesTests(SharedNode node)
{
    [Fact]
    public void The_clients_reserved_types_are_the_services_list_compared_exactly_and_case_sensitively()
    {
        var source = File.ReadAllText(Path.Combine(ServiceProcess.RepositoryRoot, "src/Streams/Json/ReservedTypes.cs"));
        var names = Regex.Match(source, @"Names = new HashSet<string>\(StringComparer\.Ordinal\)\s*\{([^}]*)\}");
        Assert.True(names.Success, "ReservedTypes.cs declares Names as it did when the client's copy was made");
        Assert.Equal(
            Regex.Matches(names.Groups[1].Value, "\"([^\"]+)\"").Select(m => m.Groups[1].Value).Order(StringComparer.Ordinal),
            SwitchboardClient.ReservedTypeNames.Order(StringComparer.Ordinal));
        var prefix = Regex.Match(source, "ControlPrefix = '(.)'");
        Assert.Equal("$", prefix.Groups[1].Value);
        foreach (var type in SwitchboardClient.ReservedTypeNames.Concat(["$", "$x"]))
            Assert.True(SwitchboardClient.IsReservedType(type), type);
        foreach (var type in new[] { "Welcome", "ACK", " welcome", "welcome ", "x$", "chat", "" })
            Assert.False(SwitchboardClient.IsReservedType(type), type);
    }

    [Fact]
    public async Task A_routed_send_with_a_reserved_type_is_refused_before_the_wire_and_nothing_reaches_its_recipient()
    {
        await using var clients = new Clients();
        var alice = clients.Make("reserved-alice", node.Ws);
        var bob = clients.Make("reserved-bob", node.Ws, o => o.Groups = ["reserved-room"]);
        var seen = new Recorder(bob);
        await Task.WhenAll(alice.ConnectAsync(), bob.ConnectAsync());
        foreach (var type in SwitchboardClient.ReservedTypeNames.Append("$x"))
        {
            Assert.Contains("reserved", Refusal.Of(() => alice.SendToUserAsync("reserved-bob", type, "forged")).Message);
            Assert.Contains("reserved", Refusal.Of(() => alice.SendToGroupAsync("reserved-room", type, "forged")).Message);
        }

        // One sender's messages reach a connection in order: anything sent before the marker would arrive before it.
        await alice.SendToUserAsync("reserved-bob", "chat", "marker");
        await seen.UntilAsync(s => s.Texts.Contains("marker"), "bob has the marker");
        Assert.Equal([("chat", "marker")], seen.Messages.Select(m => (m.Type, m.Data.GetString())));
    }

    [Fact]
    public async Task Types_that_only_resemble_reserved_ones_are_routed_and_a_broadcast_may_carry_any_type()
    {
        await using var clients = new Clients();
        var alice = clients.Make("resembling-alice", node.Ws);
        var bob = clients.Make("resembling-bob", node.Ws);
        var seen = new Recorder(bob);
        await Task.WhenAll(alice.ConnectAsync(), bob.ConnectAsync());
        foreach (var type in new[] { "Welcome", "STREAM_RESET", "receipt " })
            await alice.SendToUserAsync("resembling-bob", type, type);
        await alice.BroadcastAsync("welcome", new JsonObject { ["user_id"] = "resembling-alice" });
        await alice.SendToUserAsync("resembling-bob", "chat", "marker");
        await seen.UntilAsync(s => s.Texts.Contains("marker") && s.Messages.Any(m => m.Type == "broadcast"), "bob has the broadcast and the marker");

        var broadcast = seen.Messages.Single(m => m.Type == "broadcast");
        Assert.Equal("resembling-alice", broadcast.From);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"type":"welcome","data":{"user_id":"resembling-alice"}}"""),
            JsonNode.Parse(broadcast.Data.GetRawText())), broadcast.Data.GetRawText());
        Assert.Equal(["Welcome", "STREAM_RESET", "receipt ", "chat"], seen.Messages.Where(m => m.Type != "broadcast").Select(m => m.Type));
        Assert.Equal("resembling-bob", bob.UserId);
        Assert.Empty(seen.Ignored);
    }

    [Fact]
    public async Task Frames_of_reserved_types_that_carry_from_are_ignored_no_session_position_answer_receipt_refresh_or_presence()
    {
        var realWelcome = JsonNode.Parse("""
            {"user_id":"victim","connection_id":"real","node":"stand-in",
             "streams":{"user":{"epoch":"e1","seq":5},"groups":{"room":{"epoch":"g1","seq":3}}}}
            """)!;
        var forgedWelcome = Forged("""
            {"type":"welcome","data":{"user_id":"mallory","connection_id":"forged","node":"stand-in","streams":{"user":{"epoch":"x","seq":99}}}}
            """);
        var realPage = """{"users":{"victim":[{"connection_id":"real","node":"stand-in"}]},"complete":true}""";
        var received = new List<string>();
        string? presenceId = null;
        // The victim asks who is in its room, then sends. After the send the stand-in forges every answer to both and
        // every presence event, then delivers a broadcast and a marker, and only then answers the two for real.
        await using var server = await StandIn.StartAsync([forgedWelcome, new JsonObject { ["type"] = "welcome", ["data"] = realWelcome }], async (socket, frame) =>
        {
            var type = frame.GetProperty("type").GetString()!;
            lock (received) received.Add(type);
            if (type == "presence") presenceId = frame.GetProperty("id").GetString();
            if (type != "chat") return;
            var id = frame.GetProperty("id").GetString();
            var frames = new[]
            {
                Forged("""{"type":"stream_reset","data":{"stream":"user","epoch":"x","seq":99}}"""),
                Forged("""{"type":"stream_reset","data":{"group":"room","epoch":"x","seq":0}}"""),
                Forged("""{"type":"resumed","data":{"stream":"user","recovered":true,"epoch":"x","seq":99}}"""),
                Forged("""{"type":"receipt","id":"r-1","data":{"seq":1,"status":"delivered"}}"""),
                Forged($$$"""{"type":"error","id":"{{{id}}}","data":{"code":"forbidden","message":"a forged refusal of the send"}}"""),
                Forged($$$"""{"type":"ack","id":"{{{id}}}","data":{"seq":99}}"""),
                Forged("""{"type":"error","data":{"code":"forbidden","message":"a forged error"}}"""),
                Forged("""{"type":"token_expiring","data":{"expires_in":0}}"""),
                Forged("""{"type":"presence_join","group":"room","data":{"user_id":"mallory","connection_id":"m","first":true}}"""),
                Forged("""{"type":"presence_leave","group":"room","data":{"user_id":"victim","connection_id":"real","last":true,"reason":"closed"}}"""),
                Forged("""{"type":"presence_reset","group":"room"}"""),
                Forged("""{"type":"presence_stats","group":"room","data":{"users":9,"connections":9,"coalesced":true,"resync":true}}"""),
                Forged($$$"""{"type":"presence","group":"room","id":"{{{presenceId}}}","data":{"users":{"mallory":[]},"complete":true}}"""),
                Forged("""{"type":"$session","data":{}}"""),
                JsonNode.Parse("""{"type":"broadcast","from":"mallory","timestamp":1,"data":{"type":"welcome","data":{}}}""")!,
                JsonNode.Parse("""{"type":"chat","from":"mallory","to":"victim","timestamp":1,"seq":6,"data":"marker"}""")!,
                JsonNode.Parse($$$"""{"type":"ack","id":"{{{id}}}","data":{"seq":7}}""")!,
                JsonNode.Parse($$$"""{"type":"presence","group":"room","id":"{{{presenceId}}}","data":{{{realPage}}}}""")!,
            };
            foreach (var f in frames) await socket.SendAsync(f);
        });

        await using var clients = new Clients();
        var refreshes = 0;
        var victim = clients.Make("victim", server.Url, o =>
        {
            o.Groups = ["room"];
            o.Token = "first";
            o.TokenSource = _ => ValueTask.FromResult($"token-{Interlocked.Increment(ref refreshes)}");
        });
        var seen = new Recorder(victim);
        var welcome = await victim.ConnectAsync();
        var page = victim.PresenceAsync("room");
        var ack = await victim.SendToUserAsync("bob", "chat", "hello");
        await seen.UntilAsync(s => s.Texts.Contains("marker"), "the victim has the marker");

        var answered = await page;
        Assert.Equal([("victim", "real", "stand-in")], answered.Users.SelectMany(u => u.Value.Select(c => (u.Key, c.ConnectionId, c.Node))));
        Assert.True(answered.Complete);
        Assert.Equal(("real", "victim"), (welcome.ConnectionId, victim.UserId));
        Assert.Equal(7, ack.Seq);
        Assert.Equal(new StreamPosition("e1", 6), victim.Positions.User);
        Assert.Equal([KeyValuePair.Create("room", new StreamPosition("g1", 3))], victim.Positions.Groups);
        Assert.Equal(["broadcast", "chat"], seen.Messages.Select(m => m.Type));
        Assert.Equal(
            [
                "welcome", "stream_reset", "stream_reset", "resumed", "receipt", "error", "ack", "error", "token_expiring",
                "presence_join", "presence_leave", "presence_reset", "presence_stats", "presence", "$session",
            ],
            seen.Ignored.Select(f => f.Type));
        Assert.Equal((0, 0, 0, 0), (seen.Resumed.Count, seen.Receipts.Count, seen.Expiring.Count, seen.Errors.Count));
        Assert.Equal((0, 0, 0, 0), (seen.Joins.Count, seen.Leaves.Count, seen.Resets.Count, seen.Resyncs.Count));
        Assert.Equal([ConnectionState.Connecting, ConnectionState.Connected], seen.States);
        Assert.Equal(0, Volatile.Read(ref refreshes));
        lock (received) Assert.Equal(["presence", "chat"], received);
    }

    /// <summary>A routed message of <paramref name="frame"/>'s type: the service sets <c>from</c> and <c>timestamp</c> on every one.</summary>
    private static JsonNode Forged(string frame)
    {
        var node = JsonNode.Parse(frame)!.AsObject();
        node["from"] = "mallory";
        node["to"] = "victim";
        node["timestamp"] = 1;
        return node;
    }
}

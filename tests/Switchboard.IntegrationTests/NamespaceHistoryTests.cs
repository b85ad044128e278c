using System.Text.Json;
using Switchboard.IntegrationTests.Support;

namespace Switchboard.IntegrationTests;

/// <summary>
/// History decided per namespace (PROTOCOL.md "Namespaces"): a namespace keeps its groups' streams while the global
/// setting keeps none, and one keeps none while the global setting keeps them; groups outside keep the global behaviour.
/// </summary>
public sealed class NamespaceHistoryTests
{
    private static Task<JsonElement> AnswerAsync(Client client, string json, string id) => Frames.AnswerAsync(client, json, id);

    private static Task<JsonElement> NextOfTypeAsync(Client client, string type) => Frames.NextOfTypeAsync(client, type);

    [Fact]
    public async Task A_namespace_keeps_history_while_the_global_setting_keeps_none()
    {
        await using var server = await SwitchboardServer.StartAsync(configuration: new Dictionary<string, string?>
        {
            ["Namespaces:Rules:kept:HistorySize"] = "10",
        });
        await using var alice = await Client.ConnectAsync(server.WebSocketUri("user_id=alice"));
        Assert.False(alice.Welcome.GetProperty("data").TryGetProperty("streams", out _));

        var join = await AnswerAsync(alice, """{"type":"join","group":"kept:a","id":"j"}""", "j");
        Assert.Equal("ack", join.GetProperty("type").GetString());
        var epoch = join.GetProperty("data").GetProperty("epoch").GetString()!;
        var sent = await AnswerAsync(alice, """{"type":"chat","group":"kept:a","data":1,"id":"m1"}""", "m1");
        Assert.Equal(1, sent.GetProperty("data").GetProperty("seq").GetInt64());
        Assert.Equal(1, (await NextOfTypeAsync(alice, "chat")).GetProperty("seq").GetInt64());
        await AnswerAsync(alice, """{"type":"chat","group":"kept:a","data":2,"id":"m2"}""", "m2");

        // A second device resumes the group from seq 1 and gets what followed.
        await using var tablet = await Client.ConnectAsync(server.WebSocketUri($"user_id=alice&resume_groups=kept:a:{epoch}:1"));
        var replayed = await NextOfTypeAsync(tablet, "chat");
        Assert.Equal((2, 2), (replayed.GetProperty("seq").GetInt64(), replayed.GetProperty("data").GetInt32()));
        var resumed = await NextOfTypeAsync(tablet, "resumed");
        Assert.True(resumed.GetProperty("data").GetProperty("recovered").GetBoolean());

        // A group outside the namespace keeps the global behaviour: no seq, and a resume is not recovered.
        var plain = await AnswerAsync(alice, """{"type":"join","group":"lobby","id":"p","data":{"resume":{"epoch":"e1","seq":3}}}""", "p");
        Assert.False(plain.TryGetProperty("data", out _));
        Assert.False((await NextOfTypeAsync(alice, "resumed")).GetProperty("data").GetProperty("recovered").GetBoolean());
        await AnswerAsync(alice, """{"type":"chat","group":"lobby","data":3,"id":"m3"}""", "m3");
        Assert.False((await NextOfTypeAsync(alice, "chat")).TryGetProperty("seq", out _));
    }

    [Fact]
    public async Task A_namespace_keeps_no_history_while_the_global_setting_keeps_it()
    {
        await using var server = await SwitchboardServer.StartAsync(o => o with { HistorySize = 10 },
            new Dictionary<string, string?> { ["Namespaces:Rules:live:HistorySize"] = "0" });
        await using var alice = await Client.ConnectAsync(server.WebSocketUri("user_id=alice&groups=live:a,kept&resume_groups=live:a:e1:4"));
        var streams = alice.Welcome.GetProperty("data").GetProperty("streams").GetProperty("groups");
        Assert.Equal(["kept"], streams.EnumerateObject().Select(g => g.Name));
        var resumed = await NextOfTypeAsync(alice, "resumed");
        Assert.Equal(("live:a", false), (resumed.GetProperty("data").GetProperty("group").GetString(),
            resumed.GetProperty("data").GetProperty("recovered").GetBoolean()));

        var sent = await AnswerAsync(alice, """{"type":"chat","group":"live:a","data":1,"id":"m1"}""", "m1");
        Assert.False(sent.TryGetProperty("data", out _));
        Assert.False((await NextOfTypeAsync(alice, "chat")).TryGetProperty("seq", out _));
        var kept = await AnswerAsync(alice, """{"type":"chat","group":"kept","data":2,"id":"m2"}""", "m2");
        Assert.Equal(1, kept.GetProperty("data").GetProperty("seq").GetInt64());
    }
}

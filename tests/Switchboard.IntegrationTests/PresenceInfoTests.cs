using System.Text.Json;
using Switchboard.IntegrationTests.Support;

namespace Switchboard.IntegrationTests;

/// <summary>A connection's <c>info</c> from its token's claim (PROTOCOL.md "Presence"), shown to a group's members, checked at the door.</summary>
public sealed class PresenceInfoTests
{
    private static Task<SwitchboardServer> StartAsync() => SwitchboardServer.StartAsync(configuration: new Dictionary<string, string?>
    {
        ["Auth:Jwt:Secret"] = TestTokens.Secret,
        ["Auth:Jwt:Issuer"] = TestTokens.Issuer,
        ["Auth:Jwt:Audience"] = TestTokens.Audience,
        ["Namespaces:Rules:room:Presence"] = "true",
        ["Namespaces:Rules:room:PresenceEvents"] = "true",
    });

    private static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();

    [Fact]
    public async Task The_tokens_info_claim_is_shown_in_the_list_and_in_the_join_event()
    {
        await using var server = await StartAsync();
        var ann = TestTokens.Mint("ann", claims: new Dictionary<string, object> { ["info"] = Json("""{"name":"Ann <b>","level":3}""") });
        await using var client = await Client.ConnectAsync(server.WebSocketUri($"access_token={ann}&groups=room:a"));
        var join = await Frames.NextOfTypeAsync(client, "presence_join");
        Assert.Equal("Ann <b>", join.GetProperty("data").GetProperty("info").GetProperty("name").GetString());

        var list = await Frames.AnswerAsync(client, """{"type":"presence","group":"room:a","id":"p"}""", "p");
        var info = list.GetProperty("data").GetProperty("users").GetProperty("ann")[0].GetProperty("info");
        Assert.Equal((3, "Ann <b>"), (info.GetProperty("level").GetInt32(), info.GetProperty("name").GetString()));

        var plain = TestTokens.Mint("ben");
        await using var ben = await Client.ConnectAsync(server.WebSocketUri($"access_token={plain}&groups=room:a"));
        // groups= joins without an ack (docs/routing.md): ben's own join event says he is in.
        await Frames.NextOfTypeAsync(ben, "presence_join");
        var benList = await Frames.AnswerAsync(ben, """{"type":"presence","group":"room:a","id":"q"}""", "q");
        Assert.False(benList.GetProperty("data").GetProperty("users").GetProperty("ben")[0].TryGetProperty("info", out _));
    }

    [Theory]
    [InlineData("text")]
    [InlineData("array")]
    [InlineData("large")]
    public async Task An_info_claim_that_is_not_an_object_of_at_most_1_KB_is_refused_with_401(string kind)
    {
        await using var server = await StartAsync();
        object info = kind switch
        {
            "text" => "Ann",
            "array" => Json("""["Ann"]"""),
            _ => Json($$"""{"bio":"{{new string('x', 1100)}}"}"""),
        };
        var token = TestTokens.Mint("ann", claims: new Dictionary<string, object> { ["info"] = info });
        await using var refused = await RawWebSocket.ConnectAsync(server.BaseUri, $"/ws?access_token={token}");
        Assert.Equal(401, refused.Status);
        var body = JsonDocument.Parse(refused.Body).RootElement;
        Assert.Equal("invalid_token", body.GetProperty("error").GetString());
        Assert.Contains("info", body.GetProperty("message").GetString());
    }
}

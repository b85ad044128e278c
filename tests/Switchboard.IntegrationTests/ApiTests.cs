using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Switchboard.IntegrationTests.Support;

namespace Switchboard.IntegrationTests;

/// <summary>The HTTP messaging API refuses bad bodies with the documented status and a JSON error.</summary>
public sealed class ApiTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private async Task AssertRefusedAsync(string path, HttpContent body, int status, string code)
    {
        var response = await fixture.Server.Http.PostAsync(path, body);
        Assert.Equal(status, (int)response.StatusCode);
        var error = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(code, error.GetProperty("error").GetString());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Theory]
    [InlineData("/ws/message", "{not json", "invalid_json")]
    [InlineData("/ws/message", "", "invalid_json")]
    [InlineData("/ws/message", "[]", "invalid_json")]
    [InlineData("/ws/message", """{"to":"bob"}""", "missing_field")]
    [InlineData("/ws/message", """{"type":"chat"}""", "missing_field")]
    [InlineData("/ws/message", """{"type":"chat","to":""}""", "invalid_user_id")]
    [InlineData("/ws/message", """{"type":"chat","group":""}""", "invalid_group")]
    [InlineData("/ws/message", """{"type":"chat","to":"a","group":"b"}""", "invalid_field")]
    [InlineData("/ws/message", """{"type":"chat","to":5}""", "invalid_field")]
    [InlineData("/ws/broadcast", """{"data":1}""", "missing_field")]
    [InlineData("/ws/broadcast", "nope", "invalid_json")]
    public async Task Malformed_body_gets_400(string path, string body, string code) =>
        await AssertRefusedAsync(path, Json(body), 400, code);

    [Theory]
    [InlineData("/ws/message")]
    [InlineData("/ws/broadcast")]
    public async Task Body_over_64_KiB_gets_413(string path)
    {
        var big = $$"""{"type":"chat","to":"bob","data":"{{new string('x', 70 * 1024)}}"}""";
        await AssertRefusedAsync(path, Json(big), 413, "body_too_large");
    }

    [Fact]
    public async Task Body_over_64_KiB_without_a_length_gets_413()
    {
        var big = Encoding.UTF8.GetBytes($$"""{"type":"chat","to":"bob","data":"{{new string('x', 70 * 1024)}}"}""");
        var content = new StreamContent(new MemoryStream(big)); // sent chunked: no Content-Length
        content.Headers.ContentType = new("application/json");
        await AssertRefusedAsync("/ws/message", content, 413, "body_too_large");
    }

    [Fact]
    public async Task Unknown_group_listing_gets_404()
    {
        var response = await fixture.Server.Http.GetAsync("/ws/groups/nobody-here");
        Assert.Equal(404, (int)response.StatusCode);
        Assert.Equal("unknown_group", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
    }

    [Fact]
    public async Task User_lookup_shows_connections_and_404_for_an_absent_user()
    {
        await using var first = await Client.ConnectAsync(fixture.Server.WebSocketUri("user_id=looked-up"));
        await using var second = await Client.ConnectAsync(fixture.Server.WebSocketUri("user_id=looked-up"));
        await Eventually.TrueAsync(async () =>
        {
            var response = await fixture.Server.Http.GetAsync("/ws/users/looked-up");
            return response.IsSuccessStatusCode
                   && (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("connections").GetInt32() == 2;
        }, "both connections are registered");

        var absent = await fixture.Server.Http.GetAsync("/ws/users/nobody");
        Assert.Equal(404, (int)absent.StatusCode);
        Assert.Equal("unknown_user", (await absent.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
    }

    [Fact]
    public async Task Client_broadcast_is_delivered_when_enabled()
    {
        await using var server = await SwitchboardServer.StartAsync(o => o with { AllowClientBroadcast = true });
        await using var speaker = await Client.ConnectAsync(server.WebSocketUri("user_id=speaker"));
        await using var listener = await Client.ConnectAsync(server.WebSocketUri("user_id=listener"));
        await speaker.SendAsync("""{"type":"broadcast","data":"all hands","id":1}""");
        var heard = await listener.ReceiveAsync();
        Assert.Equal("broadcast", heard.GetProperty("type").GetString());
        Assert.Equal("speaker", heard.GetProperty("from").GetString());
        Assert.Equal("all hands", heard.GetProperty("data").GetString());
    }
}

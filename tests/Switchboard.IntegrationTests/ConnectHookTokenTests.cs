using System.Text.Json;
using Switchboard.IntegrationTests.Support;

namespace Switchboard.IntegrationTests;

/// <summary>A backend, a server with tokens and a connect hook, and one whose connect hook cannot be reached, under <c>allow</c>.</summary>
public sealed class ConnectHookTokenFixture : IAsyncLifetime
{
    public TestBackend Backend { get; private set; } = null!;
    public SwitchboardServer Server { get; private set; } = null!;
    public SwitchboardServer Unreachable { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Backend = await TestBackend.StartAsync();
        (string, string)[] tokens =
        [
            ("Auth:Jwt:Secret", TestTokens.Secret), ("Auth:Jwt:Issuer", TestTokens.Issuer), ("Auth:Jwt:Audience", TestTokens.Audience),
            ("Hooks:Connect:ForwardHeaders", "X-Test-Answer"),
        ];
        Server = await SwitchboardServer.StartAsync(configuration: HookedServers.Settings(Backend, ["connect"], tokens));
        // A port nobody listens on: every call fails at once.
        Unreachable = await SwitchboardServer.StartAsync(configuration: HookedServers.Settings(Backend, ["connect"],
            [.. tokens, ("Hooks:Connect:Url", $"http://127.0.0.1:{ServiceProcess.FreePort()}/hooks/connect"), ("Hooks:Connect:OnFailure", "allow")]));
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await Unreachable.DisposeAsync();
        await Backend.DisposeAsync();
    }
}

/// <summary>
/// With a token, its <c>sub</c> is the user (PROTOCOL.md "Application hooks"): the connect hook sees it and the claims, may
/// not rename it (an answer naming another user is a failure), and a hook failed under <c>allow</c> leaves the user the sub.
/// </summary>
public sealed class ConnectHookTokenTests(ConnectHookTokenFixture fixture) : IClassFixture<ConnectHookTokenFixture>
{
    private static Action<System.Net.WebSockets.ClientWebSocketOptions> Answer(string json) => o => o.SetRequestHeader("X-Test-Answer", json);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_tokens_sub_is_the_user_and_the_hook_sees_it_and_the_claims(bool sameUserInAnswer)
    {
        var marker = Guid.NewGuid().ToString("N");
        var token = TestTokens.Mint("tara", groups: ["team"]);
        var answer = sameUserInAnswer
            ? $$$"""{"allow":true,"user_id":"tara","info":{"m":"{{{marker}}}"},"data":{"theme":"dark"}}"""
            : $$$"""{"allow":true,"info":{"m":"{{{marker}}}"}}""";
        await using var client = await Client.ConnectAsync(fixture.Server.WebSocketUri($"access_token={token}"), Answer(answer));

        Assert.Equal("tara", client.UserId);
        var call = Assert.Single(await fixture.Backend.CallsAsync("connect"), c => c.GetRawText().Contains(marker)).GetProperty("body");
        Assert.Equal("tara", call.GetProperty("user_id").GetString());
        Assert.Equal(("tara", "team"), (call.GetProperty("claims").GetProperty("sub").GetString(),
            call.GetProperty("claims").GetProperty("groups")[0].GetString()));
        Assert.Equal(sameUserInAnswer, client.Welcome.GetProperty("data").TryGetProperty("app", out _));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_hook_that_renames_the_tokens_user_has_failed(bool transportUpgrades)
    {
        var token = TestTokens.Mint("tara");
        // A head longer than the transport reads takes the HTTP path.
        await using var refused = await RawWebSocket.ConnectAsync(fixture.Server.BaseUri, $"/ws?access_token={token}",
            new Dictionary<string, string?>
            {
                ["X-Test-Answer"] = """{"allow":true,"user_id":"root"}""", ["X-Pad"] = transportUpgrades ? null : new string('p', 9000),
            });

        Assert.Equal(503, refused.Status);
        Assert.Equal("hook_unavailable", JsonDocument.Parse(refused.Body).RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task The_token_is_checked_before_the_hook_is_asked()
    {
        var marker = Guid.NewGuid().ToString("N");
        await using var refused = await RawWebSocket.ConnectAsync(fixture.Server.BaseUri, "/ws?user_id=tara",
            new Dictionary<string, string?> { ["X-Test-Answer"] = $$$"""{"allow":true,"info":{"m":"{{{marker}}}"}}""" });

        Assert.Equal(401, refused.Status);
        Assert.DoesNotContain(await fixture.Backend.CallsAsync("connect"), c => c.GetRawText().Contains(marker));
    }

    [Fact]
    public async Task A_hook_failed_under_allow_leaves_the_user_the_tokens_sub()
    {
        var token = TestTokens.Mint("tara");
        await using var client = await Client.ConnectAsync(fixture.Unreachable.WebSocketUri($"access_token={token}"));
        Assert.Equal("tara", client.UserId);
        Assert.False(client.Welcome.GetProperty("data").TryGetProperty("app", out _));
    }
}

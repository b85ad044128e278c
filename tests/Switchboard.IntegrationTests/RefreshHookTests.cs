using System.Net.WebSockets;
using Switchboard.IntegrationTests.Support;

namespace Switchboard.IntegrationTests;

/// <summary>One backend and one server whose connect hook grants sessions and whose refresh hook extends or ends them.</summary>
public sealed class RefreshHookFixture : IAsyncLifetime
{
    public TestBackend Backend { get; private set; } = null!;
    public SwitchboardServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Backend = await TestBackend.StartAsync();
        Server = await SwitchboardServer.StartAsync(configuration: HookedServers.Settings(Backend, ["connect", "refresh"],
            ("Hooks:Connect:ForwardHeaders", "X-Test-Answer")));
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await Backend.DisposeAsync();
    }
}

/// <summary>
/// Sessions the connect hook granted with <c>expires_in</c> (PROTOCOL.md "Application hooks", "Closing"): a few seconds, so
/// that the refresh hook is asked at once. It extends a session (again and again), ends one with 4403, and a refresh hook
/// that cannot answer until the session runs out ends it with 4503 under <c>deny</c>.
/// </summary>
public sealed class RefreshHookTests(RefreshHookFixture fixture) : IClassFixture<RefreshHookFixture>
{
    private Task<Client> ConnectAsync(string answer) =>
        Client.ConnectAsync(fixture.Server.WebSocketUri(), o => o.SetRequestHeader("X-Test-Answer", answer));

    private async Task<int> RefreshCallsAsync(string user) =>
        (await fixture.Backend.CallsAsync("refresh")).Count(c => c.GetProperty("body").GetProperty("user_id").GetString() == user);

    [Fact]
    public async Task The_refresh_hook_extends_one_session_again_and_again_and_ends_another_with_4403()
    {
        // Each extension lasts 1 s, so the keeper is asked again at once: three answers span more than its first second.
        await using var keeper = await ConnectAsync("""{"allow":true,"user_id":"keep-ann","expires_in":1,"info":{"extend_by":1}}""");
        await using var ended = await ConnectAsync("""{"allow":true,"user_id":"end-bob","expires_in":2}""");

        Assert.Equal((WebSocketCloseStatus)4403, await ended.ReceiveCloseAsync());
        await Eventually.TrueAsync(async () => await RefreshCallsAsync("keep-ann") >= 3, "the keeper's session is extended three times");
        await keeper.SendAsync("""{"type":"ping"}""");
        Assert.Equal("pong", (await keeper.ReceiveAsync()).GetProperty("type").GetString()); // still open

        var call = (await fixture.Backend.CallsAsync("refresh")).First(c => c.GetProperty("body").GetProperty("user_id").GetString() == "keep-ann");
        Assert.True(call.GetProperty("signature_valid").GetBoolean());
        var body = call.GetProperty("body");
        Assert.Equal(keeper.ConnectionId, body.GetProperty("connection_id").GetString());
        Assert.Equal(1, body.GetProperty("info").GetProperty("extend_by").GetInt32());
    }

    [Fact]
    public async Task A_refresh_hook_that_keeps_failing_until_the_session_runs_out_closes_it_with_4503()
    {
        await fixture.Backend.StatusAsync("refresh", 500);
        try
        {
            await using var lost = await ConnectAsync("""{"allow":true,"user_id":"lost-cy","expires_in":2}""");
            Assert.Equal((WebSocketCloseStatus)4503, await lost.ReceiveCloseAsync());
            Assert.True(await RefreshCallsAsync("lost-cy") >= 1);
        }
        finally
        {
            await fixture.Backend.StatusAsync("refresh", 0);
        }
    }

    [Fact]
    public async Task A_session_without_expires_in_is_never_refreshed()
    {
        await using var client = await ConnectAsync("""{"allow":true,"user_id":"forever-dan","data":{"x":1}}""");
        // A session granted later, of 1 s, is asked about first: by then a deadline for the first would have been due too.
        await using var marker = await ConnectAsync("""{"allow":true,"user_id":"keep-marker","expires_in":1,"info":{"extend_by":600}}""");
        await Eventually.TrueAsync(async () => await RefreshCallsAsync("keep-marker") >= 1, "the marker's session is refreshed");
        Assert.Equal(0, await RefreshCallsAsync("forever-dan"));
    }
}

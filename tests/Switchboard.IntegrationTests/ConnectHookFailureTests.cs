using System.Text.Json;
using Switchboard.IntegrationTests.Support;

namespace Switchboard.IntegrationTests;

/// <summary>A backend of its own, taken down and slowed by these tests, and a server under each <c>OnFailure</c>.</summary>
public sealed class ConnectHookFailureFixture : IAsyncLifetime
{
    public TestBackend Backend { get; private set; } = null!;
    public SwitchboardServer Deny { get; private set; } = null!;
    public SwitchboardServer Allow { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Backend = await TestBackend.StartAsync();
        // A timeout of 1 s (the default is 2): these tests are about it, and wait it out.
        Deny = await SwitchboardServer.StartAsync(configuration: HookedServers.Settings(Backend, ["connect"], ("Hooks:Connect:Timeout", "1")));
        Allow = await SwitchboardServer.StartAsync(configuration: HookedServers.Settings(Backend, ["connect"],
            ("Hooks:Connect:Timeout", "1"), ("Hooks:Connect:OnFailure", "allow")));
    }

    public async Task DisposeAsync()
    {
        await Deny.DisposeAsync();
        await Allow.DisposeAsync();
        await Backend.DisposeAsync();
    }
}

/// <summary>
/// A connect hook that cannot answer (PROTOCOL.md "Application hooks"): under <c>deny</c> the upgrade gets 503
/// <c>hook_unavailable</c>; under <c>allow</c> it goes on as if the hook were off, and the user is anonymous (the user_id the
/// client asked for is not trusted alone).
/// </summary>
public sealed class ConnectHookFailureTests(ConnectHookFailureFixture fixture) : IClassFixture<ConnectHookFailureFixture>
{
    [Fact]
    public async Task A_stopped_backend_denies_with_503_or_lets_in_anonymously()
    {
        await fixture.Backend.StopAsync();
        try
        {
            await AssertFailedAsync();
        }
        finally
        {
            await fixture.Backend.StartAgainAsync();
        }
        await AssertAnsweredAsync();
    }

    [Fact]
    public async Task A_backend_slower_than_the_timeout_denies_with_503_or_lets_in_anonymously()
    {
        await fixture.Backend.DelayAsync("connect", 1500);
        try
        {
            await AssertFailedAsync();
        }
        finally
        {
            await fixture.Backend.DelayAsync("connect", 0);
        }
        await AssertAnsweredAsync();
    }

    [Fact]
    public async Task A_backend_answering_another_status_denies_with_503()
    {
        await fixture.Backend.StatusAsync("connect", 500);
        try
        {
            await AssertFailedAsync();
        }
        finally
        {
            await fixture.Backend.StatusAsync("connect", 0);
        }
    }

    private async Task AssertFailedAsync()
    {
        // The transport path, then the HTTP path (a head longer than the transport reads).
        foreach (var pad in new[] { null, new string('p', 9000) })
        {
            await using var refused = await RawWebSocket.ConnectAsync(fixture.Deny.BaseUri, "/ws?user_id=mallory",
                new Dictionary<string, string?> { ["X-Pad"] = pad });
            Assert.Equal(503, refused.Status);
            Assert.Equal("hook_unavailable", JsonDocument.Parse(refused.Body).RootElement.GetProperty("error").GetString());
        }
        await using var allowed = await Client.ConnectAsync(fixture.Allow.WebSocketUri("user_id=mallory"));
        Assert.StartsWith("anon-", allowed.UserId);
    }

    // The backend answers again: the same cookie-less request is let in, named as the backend says.
    private async Task AssertAnsweredAsync()
    {
        await using var client = await Client.ConnectAsync(fixture.Deny.WebSocketUri(), o =>
            o.SetRequestHeader("Cookie", "session=user:back"));
        Assert.StartsWith("anon-", client.UserId); // this server forwards no cookie: the backend names nobody
    }
}

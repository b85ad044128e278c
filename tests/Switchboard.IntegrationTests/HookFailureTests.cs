using System.Text.Json;
using Switchboard.IntegrationTests.Support;

namespace Switchboard.IntegrationTests;

/// <summary>
/// The join, publish and rpc hooks when the backend fails them (PROTOCOL.md "Application hooks"): stopped, slower than the
/// timeout, or asked more than MaxConcurrent at once; under OnFailure deny (the default) and allow.
/// </summary>
public sealed class HookFailureTests(HookFailureTests.Servers servers) : IClassFixture<HookFailureTests.Servers>
{
    /// <summary>One backend; a node with the default OnFailure (deny), and one with allow and one publish call at a time.</summary>
    public sealed class Servers : IAsyncLifetime
    {
        public TestBackend Backend { get; private set; } = null!;
        public SwitchboardServer Deny { get; private set; } = null!;
        public SwitchboardServer Allow { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Backend = await TestBackend.StartAsync();
            Deny = await SwitchboardServer.StartAsync(configuration: HookedServer.Configuration(Backend));
            Allow = await SwitchboardServer.StartAsync(configuration: HookedServer.Configuration(Backend, new Dictionary<string, string>
            {
                ["Hooks:Join:OnFailure"] = "allow",
                ["Hooks:Publish:OnFailure"] = "allow",
                ["Hooks:Rpc:OnFailure"] = "allow",
                ["Hooks:Publish:MaxConcurrent"] = "1",
            }));
        }

        public async Task DisposeAsync()
        {
            await Deny.DisposeAsync();
            await Allow.DisposeAsync();
            await Backend.DisposeAsync();
        }
    }

    private static async Task<string> CodeAsync(Client client, string json, string id)
    {
        var answer = await Frames.AnswerAsync(client, json, id);
        return answer.GetProperty("type").GetString() == "error"
            ? answer.GetProperty("data").GetProperty("code").GetString()!
            : answer.GetProperty("type").GetString()!;
    }

    [Fact]
    public async Task With_the_backend_stopped_deny_refuses_with_hook_unavailable_and_allow_acts_as_if_the_hook_were_off()
    {
        await servers.Backend.StopAsync();
        try
        {
            await using var denied = await Client.ConnectAsync(servers.Deny.WebSocketUri("user_id=down-ann"));
            Assert.Equal("hook_unavailable", await CodeAsync(denied, """{"type":"join","group":"hooked:down","id":"j"}""", "j"));
            Assert.Equal("hook_unavailable", await CodeAsync(denied, """{"type":"chat","group":"hooked:down","data":1,"id":"p"}""", "p"));
            Assert.Equal("hook_unavailable", await CodeAsync(denied, """{"type":"rpc","id":"r","data":{"method":"echo"}}""", "r"));

            await using var allowed = await Client.ConnectAsync(servers.Allow.WebSocketUri("user_id=down-ben"));
            var ack = await Frames.AnswerAsync(allowed, """{"type":"join","group":"hooked:down","id":"j"}""", "j");
            Assert.Equal("ack", ack.GetProperty("type").GetString());
            Assert.False(ack.TryGetProperty("data", out var data) && data.TryGetProperty("app", out _));
            Assert.Equal("ack", await CodeAsync(allowed, """{"type":"chat","group":"hooked:down","data":"deny","id":"p"}""", "p"));
            // Delivered as sent: the hook that would have refused "deny" was not there to ask.
            Assert.Equal("deny", (await Frames.NextOfTypeAsync(allowed, "chat")).GetProperty("data").GetString());
            Assert.Equal("not_available", await CodeAsync(allowed, """{"type":"rpc","id":"r","data":{"method":"echo"}}""", "r"));
        }
        finally
        {
            await servers.Backend.StartAgainAsync();
        }
    }

    [Fact]
    public async Task A_hook_slower_than_its_timeout_has_failed()
    {
        await servers.Backend.DelayAsync("publish", 2500); // the default Timeout is 2 s
        try
        {
            await using var ann = await Client.ConnectAsync(servers.Deny.WebSocketUri("user_id=slow-ann"));
            Assert.Equal("hook_unavailable", await CodeAsync(ann, """{"type":"chat","to":"slow-ben","data":1,"id":"p"}""", "p"));
        }
        finally
        {
            await servers.Backend.DelayAsync("publish", 0);
        }
    }

    [Fact]
    public async Task Past_MaxConcurrent_calls_in_flight_a_frame_is_refused_with_busy()
    {
        await servers.Backend.DelayAsync("publish", 1500);
        try
        {
            await using var ann = await Client.ConnectAsync(servers.Allow.WebSocketUri("user_id=busy-ann"));
            await using var ben = await Client.ConnectAsync(servers.Allow.WebSocketUri("user_id=busy-ben"));
            await ann.SendAsync("""{"type":"chat","to":"busy-cat","data":"first","id":"a"}""");
            await Eventually.TrueAsync(async () => (await servers.Backend.CallsAsync("publish"))
                .Any(c => c.GetProperty("body").GetProperty("user_id").GetString() == "busy-ann"), "ann's publish reached the backend");
            // Busy is refused whatever OnFailure says: the hook was not asked, so nothing could be allowed on its word.
            Assert.Equal("busy", await CodeAsync(ben, """{"type":"chat","to":"busy-cat","data":"second","id":"b"}""", "b"));
            Assert.Equal("ack", (await Frames.AnswerAsync(ann, """{"type":"ping","id":"after"}""", "after")).GetProperty("type").GetString());
        }
        finally
        {
            await servers.Backend.DelayAsync("publish", 0);
        }
    }
}

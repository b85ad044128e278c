using System.Text.Json;
using System.Text.Json.Nodes;
using Switchboard.Client.Tests.Support;

namespace Switchboard.Client.Tests;

/// <summary>
/// A node whose rpc hook is the real test backend (Hooks__Rpc__Url), answered once before
/// the tests start: the node's first call builds its HTTP client and warms the backend's route, which on a loaded
/// machine can pass the hook's 2 s default timeout, and that is not these tests' subject.
/// </summary>
public sealed class RpcNodes : IAsyncLifetime
{
    public TestBackend Backend { get; private set; } = null!;
    public ServiceProcess Hooked { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Backend = await TestBackend.StartAsync();
        Hooked = ServiceProcess.Start(Backend.Settings("rpc"));
        await Hooked.WaitUntilHealthyAsync();
        await using var warm = new SwitchboardClient(new SwitchboardClientOptions { Urls = [Hooked.WebSocketUri()], UserId = "rpc-warmup" });
        await warm.ConnectAsync();
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                await warm.RpcAsync("echo", new JsonObject());
                return true;
            }
            catch (SwitchboardException)
            {
                return false;
            }
        }, "the rpc hook answers");
    }

    public async Task DisposeAsync()
    {
        if (Hooked is not null) await Hooked.DisposeAsync();
        if (Backend is not null) await Backend.DisposeAsync();
    }
}

/// <summary>
/// RpcAsync (PROTOCOL.md "Application hooks"): a request answered by the application's rpc hook through the service.
/// What the service never does on purpose (an ack with an rpc's id, a connection that drops before the answer) comes
/// from a <see cref="StandIn"/>.
/// </summary>
[Collection(SharedNode.Collection)]
public sealed class RpcTests(RpcNodes nodes, SharedNode plain) : IClassFixture<RpcNodes>
{
    [Fact]
    public async Task An_rpc_to_a_node_without_an_rpc_hook_faults_with_not_available_and_the_connection_goes_on()
    {
        await using var clients = new Clients();
        var alice = clients.Make("rpc-plain", plain.Ws);
        await alice.ConnectAsync();
        var refused = await Assert.ThrowsAsync<SwitchboardException>(() => alice.RpcAsync("echo", new JsonObject { ["a"] = 1 }));
        Assert.Equal("not_available", refused.Code);
        await alice.JoinAsync("rpc-plain-room");
        Assert.Equal(ConnectionState.Connected, alice.State);
    }

    [Fact]
    public async Task An_rpc_method_must_be_a_name_refused_before_anything_is_sent()
    {
        await using var clients = new Clients();
        var alice = clients.Make("rpc-bad", plain.Ws);
        await alice.ConnectAsync();
        foreach (var method in new[] { "", null!, new string('x', 129) })
            Refusal.Of(() => alice.RpcAsync(method));
    }

    [Fact]
    public async Task An_rpc_completes_with_the_applications_result_and_its_error_faults_with_its_code()
    {
        await using var clients = new Clients();
        var alice = clients.Make("rpc-alice", nodes.Hooked.WebSocketUri());
        await alice.ConnectAsync();

        var result = await alice.RpcAsync("echo", new JsonObject { ["text"] = "hi", ["n"] = new JsonArray(1, 2) });
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""{"method":"echo","params":{"text":"hi","n":[1,2]},"user_id":"rpc-alice"}"""),
            JsonNode.Parse(result.GetRawText())), result.GetRawText());
        Assert.Equal("no_method", (await Assert.ThrowsAsync<SwitchboardException>(() => alice.RpcAsync("nope", new JsonObject()))).Code);
        var calls = (await nodes.Backend.CallsAsync("rpc"))
            .Where(c => c.GetProperty("body").GetProperty("user_id").GetString() == "rpc-alice")
            .Select(c => (c.GetProperty("body").GetProperty("method").GetString(), c.GetProperty("signature_valid").GetBoolean()));
        Assert.Equal([("echo", true), ("nope", true)], calls);
    }

    [Fact]
    public async Task Only_an_rpc_result_or_an_error_with_its_id_settles_an_rpc_and_a_dropped_connection_fails_a_written_rpc_once()
    {
        var rpcs = new List<string>();
        var welcome = JsonNode.Parse("""{"type":"welcome","data":{"user_id":"u","connection_id":"c","node":"n"}}""")!;
        await using var server = await StandIn.StartAsync([welcome], async (socket, frame) =>
        {
            if (frame.GetProperty("type").GetString() != "rpc") return;
            var id = frame.GetProperty("id").GetString();
            var data = frame.GetProperty("data");
            var method = data.GetProperty("method").GetString()!;
            lock (rpcs) rpcs.Add(method);
            switch (method)
            {
                case "echo":
                    await socket.SendAsync($$$"""{"type":"ack","id":"{{{id}}}"}"""); // not an rpc's answer: ignored
                    var result = new JsonObject { ["type"] = "rpc_result", ["id"] = id };
                    if (data.TryGetProperty("params", out var parameters)) result["data"] = JsonNode.Parse(parameters.GetRawText());
                    await socket.SendAsync(result);
                    break;
                case "busy":
                    await socket.SendAsync($$$"""{"type":"error","id":"{{{id}}}","data":{"code":"busy","message":"try again"}}""");
                    break;
                case "drop":
                    socket.Terminate();
                    break;
            }
        });

        await using var clients = new Clients();
        var alice = clients.Make("u", server.Url, o =>
        {
            o.Reconnect.InitialDelay = TimeSpan.FromMilliseconds(10);
            o.Reconnect.MaxDelay = TimeSpan.FromMilliseconds(10);
        });
        await alice.ConnectAsync();

        var echoed = await alice.RpcAsync("echo", new JsonObject { ["x"] = 1 });
        Assert.Equal("""{"x":1}""", echoed.GetRawText());
        Assert.Equal(JsonValueKind.Undefined, (await alice.RpcAsync("echo")).ValueKind);
        var busy = await Assert.ThrowsAsync<SwitchboardException>(() => alice.RpcAsync("busy", new JsonObject()));
        Assert.Equal(("busy", "try again"), (busy.Code, busy.Message));
        var dropped = await Assert.ThrowsAsync<SwitchboardException>(() => alice.RpcAsync("drop", new JsonObject()));
        Assert.Equal(SwitchboardException.Codes.Unanswered, dropped.Code);

        // Reconnected, it is not written again.
        await Eventually.TrueAsync(() => alice.State == ConnectionState.Connected, "the client is connected again");
        Assert.Equal("after", (await alice.RpcAsync("echo", "after")).GetString());
        lock (rpcs) Assert.Single(rpcs, m => m == "drop");
    }
}

using System.Net.WebSockets;
using System.Text.Json;
using Switchboard.Actors.Hooks;
using Switchboard.IntegrationTests.Support;
using Switchboard.Service.Hooks;

namespace Switchboard.IntegrationTests;

/// <summary>
/// An application that embeds the service handles the connect and refresh hooks in code (AddSwitchboardHooks): the handlers
/// get what an HTTP hook would, on both upgrade paths, and are held to the same rules. And the start-up rule of forwarded
/// cookies, standalone.
/// </summary>
public sealed class ConnectHookEmbeddingTests
{
    private const string Origin = "http://app.test";

    private static ConnectAnswer ConnectOf(ConnectRequest request) => request.Client.Cookies.GetValueOrDefault("session") switch
    {
        "user:eve" => new ConnectAnswer { UserId = "eve", Data = JsonDocument.Parse("""{"seat":7}""").RootElement.Clone() },
        "short:end-sam" => new ConnectAnswer { UserId = "end-sam", ExpiresIn = 1 },
        "rename" => new ConnectAnswer { UserId = "server" }, // the API's own user: no connection may be it
        _ => new ConnectAnswer { Allow = false, Status = 401, Error = "login_required", Message = "log in first" },
    };

    private static Task<SwitchboardServer> StartAsync(bool transportUpgrades) => SwitchboardServer.StartAsync(
        configuration: new Dictionary<string, string?>
        {
            ["Hooks:Connect:ForwardCookies"] = "session",
            ["Auth:AllowedOrigins"] = Origin,
        },
        services: s => s.AddSwitchboardHooks(hooks =>
        {
            hooks.Connect = (request, _) => Task.FromResult(ConnectOf(request));
            hooks.Refresh = (request, _) => Task.FromResult(new RefreshAnswer { Allow = !request.UserId.StartsWith("end-", StringComparison.Ordinal) });
        }),
        transportUpgrades: transportUpgrades);

    private static Action<ClientWebSocketOptions> Browser(string cookie) => o =>
    {
        o.SetRequestHeader("Origin", Origin);
        o.SetRequestHeader("Cookie", $"session={cookie}");
    };

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_connect_handler_in_code_names_refuses_and_is_held_to_the_rules(bool transportUpgrades)
    {
        await using var server = await StartAsync(transportUpgrades);

        await using var eve = await Client.ConnectAsync(server.WebSocketUri(), Browser("user:eve"));
        Assert.Equal("eve", eve.UserId);
        Assert.Equal(7, eve.Welcome.GetProperty("data").GetProperty("app").GetProperty("seat").GetInt32());

        await using var stranger = await RawWebSocket.ConnectAsync(server.BaseUri, "/ws",
            HookedServers.Browser(Origin, "session=nobody"));
        Assert.Equal(401, stranger.Status);
        var body = JsonDocument.Parse(stranger.Body).RootElement;
        Assert.Equal(("login_required", "log in first"), (body.GetProperty("error").GetString(), body.GetProperty("message").GetString()));

        await using var renamed = await RawWebSocket.ConnectAsync(server.BaseUri, "/ws", HookedServers.Browser(Origin, "session=rename"));
        Assert.Equal(503, renamed.Status);

        // A cookie from another site's page is never even asked about.
        await using var foreign = await RawWebSocket.ConnectAsync(server.BaseUri, "/ws", HookedServers.Browser("http://evil.test", "session=user:eve"));
        Assert.Equal(403, foreign.Status);
        Assert.Equal("forbidden_origin", JsonDocument.Parse(foreign.Body).RootElement.GetProperty("error").GetString());

        await using var sam = await Client.ConnectAsync(server.WebSocketUri(), Browser("short:end-sam"));
        Assert.Equal((WebSocketCloseStatus)4403, await sam.ReceiveCloseAsync());
    }

    [Fact]
    public async Task With_history_on_the_welcome_the_partition_sends_carries_the_hooks_data_too()
    {
        await using var server = await SwitchboardServer.StartAsync(
            configuration: new Dictionary<string, string?> { ["WEBSOCKET_HISTORY_SIZE"] = "10" },
            services: s => s.AddSwitchboardHooks(hooks => hooks.Connect = (_, _) => Task.FromResult(
                new ConnectAnswer { UserId = "hana", Groups = ["news"], Data = JsonDocument.Parse("[1,2]").RootElement.Clone() })));
        await using var client = await Client.ConnectAsync(server.WebSocketUri());

        var data = client.Welcome.GetProperty("data");
        Assert.Equal(("hana", "[1,2]"), (client.UserId, data.GetProperty("app").GetRawText()));
        Assert.True(data.GetProperty("streams").GetProperty("groups").TryGetProperty("news", out _));
    }

    [Fact]
    public async Task Forwarded_cookies_without_allowed_origins_stop_the_service_with_one_clear_message()
    {
        await using var service = ServiceProcess.Start(new Dictionary<string, string> { ["Hooks__Connect__ForwardCookies"] = "session" });
        Assert.Equal(2, await service.WaitForExitAsync());
        const string message = "Hooks:Connect:ForwardCookies: needs Auth:AllowedOrigins, or any web page could open a socket as its visitor";
        Assert.Single(service.Output.Split('\n'), line => line.Contains(message));
    }
}

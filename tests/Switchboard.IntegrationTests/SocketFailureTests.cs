using System.Net.Sockets;
using Switchboard.IntegrationTests.Support;

namespace Switchboard.IntegrationTests;

/// <summary>
/// A client that drops its TCP connection with a reset in the middle of a connection, as a phone losing its network
/// or a killed process does: the node counts it under its kind in <c>/metrics</c> and goes on serving the others.
/// </summary>
public sealed class SocketFailureTests
{
    [Theory]
    [InlineData(true)] // upgrades taken on the transport, as the service's Program.cs takes them
    [InlineData(false)] // upgrades through ASP.NET Core's HTTP pipeline, as an embedding app may leave them
    public async Task A_client_that_resets_its_connection_is_counted_as_a_reset_while_the_node_goes_on(bool transportUpgrades)
    {
        await using var server = await SwitchboardServer.StartAsync(transportUpgrades: transportUpgrades);
        await using var honest = await Client.ConnectAsync(server.WebSocketUri("user_id=honest"));
        await using var resetter = await RawWebSocket.ConnectAsync(server.BaseUri, "/ws?user_id=resetter");
        Assert.Contains("\"welcome\"", (await resetter.ReceiveAsync())!.Text); // its connection runs

        // With a zero linger, closing the socket sends a TCP reset rather than a FIN.
        resetter.Socket.LingerState = new LingerOption(true, 0);
        resetter.Socket.Close();

        Exposition scrape = null!;
        await Eventually.TrueAsync(async () =>
        {
            scrape = await Exposition.ScrapeAsync(server.Http, server.BaseUri);
            return scrape.Value("switchboard_socket_failures_total", ("kind", "reset")) == 1
                   && scrape.Value("switchboard_connections") == 1;
        }, "the reset is counted and its connection has ended");
        Assert.Equal(0, scrape.Value("switchboard_socket_failures_total", ("kind", "unexpected")));
        Assert.Equal(0, scrape.Value("switchboard_socket_failures_total", ("kind", "aborted")));

        // A client that connects after the reset reaches the one that stayed.
        await using var sender = await Client.ConnectAsync(server.WebSocketUri("user_id=sender"));
        var marker = $"marker-{Guid.NewGuid():N}";
        await sender.SendAsync($$"""{"type":"marker","to":"honest","data":"{{marker}}"}""");
        var received = await honest.ReceiveAsync();
        Assert.Equal("marker", received.GetProperty("type").GetString());
        Assert.Equal(marker, received.GetProperty("data").GetString());
    }
}

using Akka.Actor;
using Akka.Streams.Implementation;
using Switchboard.IntegrationTests.Support;

namespace Switchboard.IntegrationTests;

/// <summary>Connections come and go without leaving anything behind.</summary>
public sealed class LifecycleTests
{
    [Fact]
    public async Task A_thousand_connects_and_disconnects_leave_no_connection_graph_and_no_actor_beyond_the_hosts()
    {
        await using var server = await SwitchboardServer.StartAsync();
        var uri = server.WebSocketUri("user_id=churn");

        for (var round = 0; round < 1000; round++)
        {
            // Alternate a clean close handshake with a client that just drops the socket.
            if (round % 2 == 0)
            {
                await using var client = await Client.ConnectAsync(uri);
            }
            else
            {
                await using var raw = await RawWebSocket.ConnectAsync(server.BaseUri, "/ws?user_id=churn");
                await raw.ReceiveAsync();
            }
        }

        await Eventually.TrueAsync(async () => (await server.StatsAsync()).GetProperty("connections").GetInt64() == 0,
            "stats show no connection");
        Assert.Equal(0, (await server.StatsAsync()).GetProperty("users").GetInt64());
        await Eventually.TrueAsync(() => server.Hub.Counters.LiveGraphs == 0, "every connection graph has finished");
        Assert.Equal(server.Hub.Options.ConnectionHosts, await StreamActorsAsync(server));
    }

    [Fact]
    public async Task Connections_run_on_the_nodes_connection_hosts_without_an_actor_each()
    {
        await using var server = await SwitchboardServer.StartAsync();
        var hosts = server.Hub.Options.ConnectionHosts;
        var clients = new List<Client>();
        for (var i = 0; i < hosts + 5; i++)
            clients.Add(await Client.ConnectAsync(server.WebSocketUri($"user_id=u{i}")));

        Assert.Equal(hosts, await StreamActorsAsync(server));
        foreach (var client in clients)
            await client.DisposeAsync();
        await Eventually.TrueAsync(() => server.Hub.Counters.LiveGraphs == 0, "every connection graph has finished");
        Assert.Equal(hosts, await StreamActorsAsync(server));
    }

    private static async Task<int> StreamActorsAsync(SwitchboardServer server)
    {
        var children = await server.Hub.Hosts.Materializer.Supervisor.Ask<StreamSupervisor.Children>(
            StreamSupervisor.GetChildren.Instance, TimeSpan.FromSeconds(10));
        return children.Refs.Count;
    }
}

using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Switchboard.IntegrationTests.Support;

namespace Switchboard.IntegrationTests;

/// <summary>Nodes leaving and dying under traffic; each test gets a fresh three-node cluster.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterFailoverTests
{
    private static Uri WebSocketUri(ServiceProcess node, string user) => new($"ws://{node.BaseUri.Authority}/ws?user_id={user}");

    internal static async Task WaitRegisteredAsync(ServiceProcess via, string user, int connections)
    {
        using var http = new HttpClient { BaseAddress = via.BaseUri };
        await Eventually.TrueAsync(async () =>
        {
            var response = await http.GetAsync($"/ws/users/{user}");
            return response.IsSuccessStatusCode
                   && (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("connections").GetInt32() == connections;
        }, $"{user} has {connections} connection(s) registered");
    }

    /// <summary>A direct message arrives, and exactly once: the marker sent after it is the next frame.</summary>
    private static async Task AssertDeliveredOnceAsync(Client from, Client to, string toUser, string text)
    {
        await from.SendAsync($$"""{"type":"chat","to":"{{toUser}}","data":"{{text}}"}""");
        await from.SendAsync($$"""{"type":"marker","to":"{{toUser}}"}""");
        Assert.Equal(text, (await to.ReceiveAsync()).GetProperty("data").GetString());
        Assert.Equal("marker", (await to.ReceiveAsync()).GetProperty("type").GetString());
    }

    [Fact]
    public async Task Graceful_leave_closes_with_1001_and_traffic_between_the_others_continues()
    {
        var nodes = await ClusterTests.ThreeNodes.StartAsync(3);
        try
        {
            await using var alice = await Client.ConnectAsync(WebSocketUri(nodes[0], "alice"));
            await using var bob = await Client.ConnectAsync(WebSocketUri(nodes[2], "bob"));
            await using var carol = await Client.ConnectAsync(WebSocketUri(nodes[1], "carol"));
            await WaitRegisteredAsync(nodes[0], "bob", 1);
            await WaitRegisteredAsync(nodes[2], "alice", 1);
            await AssertDeliveredOnceAsync(alice, bob, "bob", "before");

            nodes[1].Terminate();
            Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, await carol.ReceiveCloseAsync());
            // During the leave: the shards of node 2 move, messages wait for them and arrive.
            await AssertDeliveredOnceAsync(alice, bob, "bob", "during");
            Assert.Equal(0, await nodes[1].WaitForExitAsync());

            await ClusterTests.ThreeNodes.AllSeeAsync([nodes[0], nodes[2]], 2);
            await AssertDeliveredOnceAsync(alice, bob, "bob", "after");
            await AssertDeliveredOnceAsync(bob, alice, "alice", "and back");
        }
        finally
        {
            foreach (var node in nodes)
                await node.DisposeAsync();
        }
    }

    [Fact]
    public async Task Killed_nodes_clients_reconnect_elsewhere_and_receive_again()
    {
        var nodes = await ClusterTests.ThreeNodes.StartAsync(3);
        try
        {
            await using var alice = await Client.ConnectAsync(WebSocketUri(nodes[0], "alice"));
            var bobOnNode3 = await Client.ConnectAsync(WebSocketUri(nodes[2], "bob"));
            await WaitRegisteredAsync(nodes[0], "bob", 1);
            await AssertDeliveredOnceAsync(alice, bobOnNode3, "bob", "before");

            await nodes[2].DisposeAsync(); // SIGKILL
            Assert.Null(await bobOnNode3.ReceiveCloseAsync()); // the socket just drops
            await bobOnNode3.DisposeAsync();

            // The survivors down node 3 (split brain resolver); its entries in the entities go with it.
            await ClusterTests.ThreeNodes.AllSeeAsync([nodes[0], nodes[1]], 2);
            await using var bob = await Client.ConnectAsync(WebSocketUri(nodes[0], "bob"));
            await WaitRegisteredAsync(nodes[1], "bob", 1);
            await AssertDeliveredOnceAsync(alice, bob, "bob", "after the crash");
        }
        finally
        {
            foreach (var node in nodes)
                await node.DisposeAsync();
        }
    }
}

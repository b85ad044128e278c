using System.Net.Http.Json;
using System.Text.Json;
using Switchboard.IntegrationTests.Support;

namespace Switchboard.IntegrationTests;

/// <summary>
/// WEBSOCKET_MAX_CONNECTIONS_PER_USER held across the cluster (WEBSOCKET_MAX_CONNECTIONS_PER_USER_SCOPE=cluster) by three
/// real node processes. A cluster of its own: the shared one (<see cref="ClusterTests.ThreeNodes"/>) runs with default
/// settings, and its tests open three connections of one user.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterUserBoundTests
{
    private static readonly Dictionary<string, string> BoundOfTwoInTheCluster = new()
    {
        ["WEBSOCKET_MAX_CONNECTIONS_PER_USER"] = "2",
        ["WEBSOCKET_MAX_CONNECTIONS_PER_USER_SCOPE"] = "cluster",
    };

    private static string Unique(string name) => $"{name}-{Guid.NewGuid():N}"[..20];

    private static Task<Client> ConnectAsync(ServiceProcess node, string user) =>
        Client.ConnectAsync(new Uri($"ws://{node.BaseUri.Authority}/ws?user_id={user}"));

    private static async Task<JsonElement> RefusedAsync(ServiceProcess node, string user)
    {
        await using var refused = await RawWebSocket.ConnectAsync(node.BaseUri, $"/ws?user_id={user}");
        Assert.Equal(429, refused.Status);
        return JsonDocument.Parse(refused.Body).RootElement.Clone();
    }

    [Fact]
    public async Task A_third_connection_of_a_user_on_another_node_is_refused_until_one_of_the_two_closes()
    {
        var nodes = await ClusterTests.ThreeNodes.StartAsync(3, settings: _ => new Dictionary<string, string>(BoundOfTwoInTheCluster));
        try
        {
            var (user, other) = (Unique("u"), Unique("v"));
            var first = await ConnectAsync(nodes[0], user);
            await using var second = await ConnectAsync(nodes[1], user);

            // Node 3 holds none of the user's connections: only the user's entity can tell it that two are open elsewhere.
            var body = await RefusedAsync(nodes[2], user);
            Assert.Equal("too_many_connections", body.GetProperty("error").GetString());
            Assert.Equal($"user \"{user}\" holds its maximum of 2 connections in the cluster", body.GetProperty("message").GetString());
            Assert.Equal("too_many_connections", (await RefusedAsync(nodes[1], user)).GetProperty("error").GetString());

            // Another user is held to its own count.
            await using var otherOnThree = await ConnectAsync(nodes[2], other);
            await using var otherOnOne = await ConnectAsync(nodes[0], other);

            // Once the close has reached the user's entity, node 3 admits one more, and only one.
            await first.DisposeAsync();
            using var http = new HttpClient { BaseAddress = nodes[2].BaseUri };
            await Eventually.TrueAsync(async () =>
                    (await http.GetFromJsonAsync<JsonElement>($"/ws/users/{user}")).GetProperty("connections").GetInt32() == 1,
                "the cluster knows the first connection closed");
            await using var third = await ConnectAsync(nodes[2], user);
            Assert.Equal("too_many_connections", (await RefusedAsync(nodes[0], user)).GetProperty("error").GetString());
        }
        finally
        {
            foreach (var node in nodes)
                await node.DisposeAsync();
        }
    }
}

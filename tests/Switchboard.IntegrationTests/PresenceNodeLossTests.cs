using System.Text.Json;
using Switchboard.IntegrationTests.Support;
using Xunit.Abstractions;

namespace Switchboard.IntegrationTests;

/// <summary>A node killed under groups with presence: its cluster is its own, since the test ends it.</summary>
[Collection(ClusterCollection.Name)]
public sealed class PresenceNodeLossTests(ITestOutputHelper output)
{
    private const int Groups = 12;

    [Fact]
    public async Task A_killed_nodes_members_leave_every_group_with_node_lost_or_a_presence_reset_and_the_lists_agree_on_the_survivors()
    {
        var nodes = await ClusterTests.ThreeNodes.StartAsync(3, settings: _ => new Dictionary<string, string>(NamespacedCluster.Settings));
        var clients = new List<Client>();
        try
        {
            var run = Guid.NewGuid().ToString("N")[..8];
            var groups = Enumerable.Range(0, Groups).Select(i => $"room:loss-{run}-{i}").ToList();
            var joined = string.Join(",", groups);
            Client Connect(int node, string user) => Client.ConnectAsync(
                new Uri($"ws://{nodes[node].BaseUri.Authority}/ws?user_id={user}-{run}&groups={joined}")).GetAwaiter().GetResult();
            // Every group has a member on each node; the keepers are spread over the three by the shards.
            var watcher = Connect(0, "watcher");
            var second = Connect(1, "second");
            var victim = Connect(2, "victim");
            clients.AddRange([watcher, second, victim]);
            await Eventually.TrueAsync(async () =>
            {
                foreach (var group in groups)
                {
                    if (await ConnectionsAsync(watcher, group) != 3)
                        return false;
                }
                return true;
            }, "every group lists its three members");

            await nodes[2].DisposeAsync(); // SIGKILL
            // The survivors down it after the resolver's stable-after (docs/cluster.md); the events follow its removal.
            await ClusterTests.ThreeNodes.AllSeeAsync([nodes[0], nodes[1]], 2);
            var resets = new HashSet<string>();
            var leaves = new HashSet<string>();
            while (resets.Count + leaves.Count < Groups)
            {
                JsonElement frame;
                try
                {
                    frame = await watcher.ReceiveAsync();
                }
                catch (Exception)
                {
                    output.WriteLine($"resets {string.Join(",", resets)}; leaves {string.Join(",", leaves)}");
                    output.WriteLine(nodes[0].Output);
                    throw;
                }
                var type = frame.GetProperty("type").GetString();
                var group = frame.TryGetProperty("group", out var g) ? g.GetString()! : "";
                if (type == "presence_reset")
                    resets.Add(group);
                else if (type == "presence_leave" && frame.GetProperty("data").GetProperty("user_id").GetString() == victim.UserId)
                {
                    Assert.Equal("node_lost", frame.GetProperty("data").GetProperty("reason").GetString());
                    Assert.True(frame.GetProperty("data").GetProperty("last").GetBoolean());
                    leaves.Add(group);
                }
            }
            output.WriteLine($"{leaves.Count} groups kept their keeper and said node_lost; {resets.Count} lost it and reset");
            Assert.Equal(groups.Order(), resets.Union(leaves).Order());

            // Asked on either survivor, every list names the two survivors' members and nobody of the lost node.
            foreach (var asker in new[] { watcher, second })
            {
                foreach (var group in groups)
                {
                    var users = await UsersAsync(asker, group);
                    Assert.Equal(new[] { watcher.UserId, second.UserId }.Order(StringComparer.Ordinal), users);
                }
            }
        }
        finally
        {
            foreach (var client in clients)
                await client.DisposeAsync();
            foreach (var node in nodes)
                await node.DisposeAsync();
        }
    }

    private static async Task<JsonElement> AskAsync(Client client, string type, string group)
    {
        var id = Guid.NewGuid().ToString("N");
        await client.SendAsync($$"""{"type":"{{type}}","group":"{{group}}","id":"{{id}}"}""");
        while (true)
        {
            var frame = await client.ReceiveAsync();
            if (frame.TryGetProperty("id", out var got) && got.GetString() == id)
                return frame;
        }
    }

    private static async Task<int> ConnectionsAsync(Client client, string group) =>
        (await AskAsync(client, "presence_stats", group)).GetProperty("data").GetProperty("connections").GetInt32();

    private static async Task<List<string>> UsersAsync(Client client, string group) =>
        (await AskAsync(client, "presence", group)).GetProperty("data").GetProperty("users").EnumerateObject().Select(u => u.Name).ToList();
}

using Switchboard.IntegrationTests.Support;

namespace Switchboard.IntegrationTests;

/// <summary>
/// A reload on every node of a cluster reaches the live groups whatever node keeps them (docs/namespaces.md, "Reload").
/// Its cluster is its own: each node reads a settings file of its own, which the test edits.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class NamespaceReloadClusterTests
{
    private const int Groups = 9;

    private static string Rules(string feed) => """{"Namespaces":{"Rules":{"feed":""" + feed + "}}}";

    [Fact]
    public async Task An_edit_on_every_node_changes_the_rules_of_live_groups_kept_on_each_node_and_members_stay()
    {
        var roots = Enumerable.Range(0, 3).Select(_ => Directory.CreateTempSubdirectory("switchboard-ns").FullName).ToArray();
        foreach (var root in roots)
            await File.WriteAllTextAsync(Path.Combine(root, "appsettings.json"), Rules("{}"));
        var nodes = await ClusterTests.ThreeNodes.StartAsync(3, settings: i => new Dictionary<string, string> { ["ASPNETCORE_CONTENTROOT"] = roots[i] });
        var clients = new List<Client>();
        try
        {
            var run = Guid.NewGuid().ToString("N")[..8];
            var groups = Enumerable.Range(0, Groups).Select(i => $"feed:reload-{run}-{i}").ToList();
            for (var i = 0; i < Groups; i++)
            {
                clients.Add(await Client.ConnectAsync(new Uri($"ws://{nodes[i % 3].BaseUri.Authority}/ws?user_id=u{i}-{run}&groups={groups[i]}")));
                var sent = await Frames.AnswerAsync(clients[i], $$"""{"type":"chat","group":"{{groups[i]}}","data":0,"id":"before"}""", "before");
                Assert.Equal("ack", sent.GetProperty("type").GetString());
            }

            foreach (var root in roots)
            {
                var file = Path.Combine(root, "appsettings.json");
                await File.WriteAllTextAsync(file + ".next", Rules("""{"ClientPublish":"none"}"""));
                File.Move(file + ".next", file, overwrite: true);
            }

            for (var i = 0; i < Groups; i++)
            {
                var client = clients[i];
                var group = groups[i];
                await Eventually.TrueAsync(async () =>
                {
                    var id = Guid.NewGuid().ToString("N");
                    var answer = await Frames.AnswerAsync(client, $$"""{"type":"chat","group":"{{group}}","data":1,"id":"{{id}}"}""", id);
                    return answer.GetProperty("type").GetString() == "error"
                           && answer.GetProperty("data").GetProperty("code").GetString() == "forbidden";
                }, $"{group} refuses clients");
                // Still a member: a message from the HTTP API reaches it.
                using var http = new HttpClient();
                await http.PostAsync(new Uri(nodes[(i + 1) % 3].BaseUri, "/ws/message"),
                    new StringContent($$"""{"group":"{{group}}","type":"notice","data":"still here"}""", System.Text.Encoding.UTF8, "application/json"));
                Assert.Equal("still here", (await Frames.NextOfTypeAsync(client, "notice")).GetProperty("data").GetString());
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
}

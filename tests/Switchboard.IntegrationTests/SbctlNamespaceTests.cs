using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Actors.Namespaces;
using Switchboard.Contracts;
using Switchboard.IntegrationTests.Support;

namespace Switchboard.IntegrationTests;

/// <summary><c>sbctl namespaces list</c>, as JSON, against a node.</summary>
internal static class SbctlNamespaces
{
    public static async Task<NamespacesView> ListAsync(Uri node)
    {
        var run = await Sbctl.RunAsync("--node", node.ToString(), "namespaces", "list", "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        return JsonSerializer.Deserialize<NamespacesView>(run.Stdout, AdminJson.Options)!;
    }
}

/// <summary>
/// The real sbctl against a real node with namespaces configured: what it loaded, a name it does not know, and a group's
/// presence counts where its namespace keeps presence.
/// </summary>
public sealed class SbctlNamespaceTests(SbctlNamespaceTests.NodeWithNamespaces fixture) : IClassFixture<SbctlNamespaceTests.NodeWithNamespaces>
{
    public sealed class NodeWithNamespaces : IAsyncLifetime
    {
        public SwitchboardServer Server { get; private set; } = null!;

        public async Task InitializeAsync() => Server = await SwitchboardServer.StartAsync(configuration: new Dictionary<string, string?>
        {
            ["Namespaces:Strict"] = "true",
            ["Namespaces:Default:ClientPublish"] = "members",
            ["Namespaces:Rules:chat:Presence"] = "true",
            ["Namespaces:Rules:chat:PresenceEvents"] = "true",
            ["Namespaces:Rules:chat:HistorySize"] = "50",
            ["Namespaces:Rules:chat:HistoryTtl"] = "90",
            ["Namespaces:Rules:news:ClientPublish"] = "none",
            ["Namespaces:Rules:news:MaxMembers"] = "1000",
        });

        public async Task DisposeAsync() => await Server.DisposeAsync();
    }

    private SwitchboardServer Server => fixture.Server;

    // Protected mode: a loopback caller needs no key.
    private Task<SbctlResult> SbctlAsync(params string[] args) => Sbctl.RunAsync(["--node", Server.BaseUri.ToString(), .. args]);

    [Fact]
    public async Task List_json_is_the_table_the_node_loaded()
    {
        var view = await SbctlNamespaces.ListAsync(Server.BaseUri);

        var node = Assert.Single(view.Nodes);
        Assert.True(view.Agree);
        Assert.Empty(view.MissingNodes);
        Assert.Equal(Server.Hub.Node, node.Node);
        Assert.Equal(Server.Services.GetRequiredService<NamespaceBook>().Current.Fingerprint, node.Fingerprint);
        Assert.True(node.Strict);
        Assert.Equal(new NamespaceOptions(null, null, false, false, "members", false, false, 0), node.Default);
        Assert.Equal(new NamespaceOptions(50, 90, true, true, "anyone", false, false, 0), node.Namespaces["chat"]);
        Assert.Equal(new NamespaceOptions(null, null, false, false, "none", false, false, 1000), node.Namespaces["news"]);
    }

    [Fact]
    public async Task List_draws_a_row_a_namespace_and_the_nodes_fingerprint()
    {
        var run = await SbctlAsync("namespaces", "list");

        Assert.True(run.ExitCode == 0, run.ToString());
        var fingerprint = Server.Services.GetRequiredService<NamespaceBook>().Current.Fingerprint;
        Assert.Contains(fingerprint, Line(run, Server.Hub.Node));
        Assert.Contains("members", Line(run, "(default)"));
        Assert.Contains("90s", Line(run, "chat"));
        Assert.Contains("1000", Line(run, "news"));
        Assert.Contains($"every node has fingerprint {fingerprint} (1 node)", run.Stdout);
        Assert.DoesNotContain("differs", run.Stdout);
    }

    [Fact]
    public async Task Show_draws_the_namespace_on_the_node()
    {
        var run = await SbctlAsync("namespaces", "show", "news");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("none", Line(run, Server.Hub.Node));
        Assert.Contains("news: the same on every node (1 node)", run.Stdout);
    }

    [Theory]
    [InlineData("nope", "no node configures the namespace \"nope\"")]
    [InlineData("Chat", "\"Chat\" cannot name a namespace")]
    public async Task Show_of_a_name_the_node_does_not_configure_exits_1_with_its_reason(string name, string reason)
    {
        var run = await SbctlAsync("namespaces", "show", name);

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains(reason, run.Stderr);
        Assert.Equal("", run.Stdout);
    }

    [Fact]
    public async Task Groups_show_counts_presence_where_the_namespace_keeps_it_and_says_off_where_it_does_not()
    {
        // chat keeps presence, news does not: one user with two connections and another with one, in a group of each.
        var (room, feed) = ($"chat:{Guid.NewGuid():N}", $"news:{Guid.NewGuid():N}");
        var (ann, bob) = ($"ann-{Guid.NewGuid():N}", $"bob-{Guid.NewGuid():N}");
        await using var annHere = await Client.ConnectAsync(Server.WebSocketUri($"user_id={ann}&groups={room},{feed}"));
        await using var annThere = await Client.ConnectAsync(Server.WebSocketUri($"user_id={ann}&groups={room},{feed}"));
        await using var bobHere = await Client.ConnectAsync(Server.WebSocketUri($"user_id={bob}&groups={room},{feed}"));
        await Eventually.TrueAsync(async () => await ConnectionsOfAsync(room) == 3 && await ConnectionsOfAsync(feed) == 3,
            "both groups have the three connections");

        var shown = await SbctlAsync("groups", "show", room);
        var json = (await SbctlAsync("groups", "show", room, "--json")).Json();
        var off = await SbctlAsync("groups", "show", feed);
        var offJson = (await SbctlAsync("groups", "show", feed, "--json")).Json();

        Assert.True(shown.ExitCode == 0, shown.ToString());
        // chat keeps history too, so its stream's line comes between.
        var lines = shown.Stdout.Split('\n');
        Assert.Equal($"{room}: 2 members, 3 connections", lines[0]);
        Assert.StartsWith("stream: epoch ", lines[1]);
        Assert.Equal("presence: 2 users, 3 connections", lines[2]);
        Assert.Equal(2, json.GetProperty("presence").GetProperty("users").GetInt32());
        Assert.Equal(3, json.GetProperty("presence").GetProperty("connections").GetInt32());
        Assert.True(off.ExitCode == 0, off.ToString());
        Assert.StartsWith($"{feed}: 2 members, 3 connections\npresence: off\n", off.Stdout);
        Assert.Equal(JsonValueKind.Null, offJson.GetProperty("presence").ValueKind);
    }

    private async Task<int> ConnectionsOfAsync(string group)
    {
        var run = await SbctlAsync("groups", "show", group, "--json");
        return run.ExitCode == 0 ? run.Json().GetProperty("connections").GetInt32() : 0;
    }

    // The table row whose first cell is text (a border is │, or | where the output cannot take it).
    private static string Line(SbctlResult run, string text) => Assert.Single(run.Stdout.Split('\n'), l =>
        l.Split(['│', '|'], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() == text);
}

/// <summary>Two node processes in one cluster that loaded different rules: sbctl shows where they disagree.</summary>
[Collection(ClusterCollection.Name)]
public sealed class SbctlNamespaceClusterTests
{
    [Fact]
    public async Task List_and_show_mark_the_nodes_whose_rules_differ()
    {
        var nodes = await ClusterTests.ThreeNodes.StartAsync(2, settings: i => i == 0
            ? new Dictionary<string, string> { ["Namespaces__Rules__chat__Presence"] = "true" }
            : new Dictionary<string, string> { ["Namespaces__Rules__chat__Presence"] = "true", ["Namespaces__Rules__chat__MaxMembers"] = "10" });
        try
        {
            var view = await SbctlNamespaces.ListAsync(nodes[0].BaseUri);
            var list = await Sbctl.RunAsync("--node", nodes[0].BaseUri.ToString(), "namespaces", "list");
            var show = await Sbctl.RunAsync("--node", nodes[1].BaseUri.ToString(), "namespaces", "show", "chat");

            Assert.False(view.Agree);
            Assert.Equal(2, view.Nodes.Select(n => n.Fingerprint).Distinct().Count());
            Assert.Equal([0, 10], view.Nodes.Select(n => n.Namespaces["chat"].MaxMembers).Order());
            Assert.True(list.ExitCode == 0, list.ToString());
            Assert.Contains("nodes disagree: 2 fingerprints among 2 nodes", list.Stdout);
            // Neither node is the cluster's: both are marked, in the node rows and in the rows of chat's two variants.
            Assert.Equal(4, list.Stdout.Split('\n').Count(l => l.Contains("differs", StringComparison.Ordinal)));
            Assert.True(show.ExitCode == 0, show.ToString());
            Assert.Contains("nodes disagree on chat", show.Stdout);
            Assert.Equal(2, show.Stdout.Split('\n').Count(l => l.Contains("differs", StringComparison.Ordinal)));
        }
        finally
        {
            foreach (var node in nodes)
                await node.DisposeAsync();
        }
    }
}

using Microsoft.Playwright;
using Switchboard.Contracts;
using Switchboard.IntegrationTests.Support;

namespace Switchboard.IntegrationTests;

/// <summary>
/// The dashboard's largest groups with their users, on a node whose namespace <c>room</c> keeps presence, in protected
/// mode (loopback, no key): the stream names the first users of a presence group and counts the rest, names none of a
/// group without presence, and the page shows every user id as text, however it is spelt.
/// </summary>
public sealed class DashboardPresenceTests(DashboardPresenceTests.NodeWithPresence fixture)
    : IClassFixture<DashboardPresenceTests.NodeWithPresence>
{
    public sealed class NodeWithPresence : IAsyncLifetime
    {
        public SwitchboardServer Server { get; private set; } = null!;

        public async Task InitializeAsync() => Server = await SwitchboardServer.StartAsync(configuration: new Dictionary<string, string?>
        {
            ["Namespaces:Rules:room:Presence"] = "true",
        });

        public async Task DisposeAsync() => await Server.DisposeAsync();
    }

    private const string Stream = "/ws" + AdminRoutes.Dashboard;

    private SwitchboardServer Server => fixture.Server;

    private Task<Client> JoinAsync(string user, string group) =>
        Client.ConnectAsync(Server.WebSocketUri($"user_id={Uri.EscapeDataString(user)}&groups={Uri.EscapeDataString(group)}"));

    [Fact]
    public async Task Stream_names_the_first_ten_users_of_a_presence_group_counts_the_rest_and_names_none_without_presence()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var (room, lobby) = ($"room:{tag}", $"lobby-{tag}");
        var users = Enumerable.Range(0, 12).Select(i => $"u{i:D2}-{tag}").ToList();
        var clients = new List<Client>();
        try
        {
            foreach (var user in users)
                clients.Add(await JoinAsync(user, room));
            clients.Add(await JoinAsync($"v1-{tag}", lobby));
            clients.Add(await JoinAsync($"v2-{tag}", lobby));

            DashboardSample? seen = null;
            await foreach (var (_, sample) in AdminClient.EventsAsync<DashboardSample>(Server.Http, Stream))
            {
                seen = sample;
                if (sample.LargestGroups.Any(g => g is { Connections: 12 } && g.Group == room)
                    && sample.LargestGroups.Any(g => g is { Connections: 2 } && g.Group == lobby)
                    && sample.LargestGroupsUsers.Any(u => u.Group == room && u.First.Count + u.More == 12))
                    break;
            }

            var shown = Assert.Single(seen!.LargestGroupsUsers, u => u.Group == room);
            Assert.Equal(users.Order(StringComparer.Ordinal).Take(10), shown.First);
            Assert.Equal(2, shown.More);
            Assert.DoesNotContain(seen.LargestGroupsUsers, u => u.Group == lobby);
        }
        finally
        {
            foreach (var client in clients)
                await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task Browser_shows_a_presence_groups_users_as_text_markup_included()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var room = $"room:{tag}";
        string[] users = [$"<script>window.pwned='{tag}'</script>", $"<img src=x onerror=\"window.pwned='{tag}'\">", $"plain-{tag}"];
        var clients = new List<Client>();
        try
        {
            foreach (var user in users)
                clients.Add(await JoinAsync(user, room));

            await using var browser = await DashboardBrowser.OpenAsync(new Uri(Server.BaseUri, "/ws/dashboard"));
            var page = browser.Page;
            var shown = page.Locator($"#groups tbody tr[data-group='{room}'] .group-users .user");
            await Assertions.Expect(shown).ToHaveCountAsync(users.Length);

            Assert.Equal(users.Order(StringComparer.Ordinal), await shown.AllTextContentsAsync());
            Assert.Equal(0, await page.Locator("#groups script, #groups img").CountAsync());
            Assert.Null(await page.EvaluateAsync<string?>("window.pwned ?? null"));
            Assert.Equal(0, await page.Locator($"#groups tbody tr[data-group='{room}'] .more").CountAsync());
        }
        finally
        {
            foreach (var client in clients)
                await client.DisposeAsync();
        }
    }
}

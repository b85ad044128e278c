using Microsoft.Playwright;
using Switchboard.IntegrationTests.Support;

namespace Switchboard.IntegrationTests;

/// <summary>The dashboard in a real headless Chromium against scripts/cluster.sh's three nodes, in protected mode (no key).</summary>
[Collection(ClusterCollection.Name)]
public sealed class DashboardClusterTests
{
    private const int ClientsPerNode = 2;

    [Fact]
    public async Task Dashboard_shows_three_members_and_its_counters_move_with_traffic()
    {
        var (run, httpBase, environment) = ClusterScript.Prepare();
        var clients = new List<Client>();
        try
        {
            await ClusterScript.StartAsync(environment, httpBase);
            await using var browser = await DashboardBrowser.OpenAsync(new Uri($"http://127.0.0.1:{httpBase}/ws/dashboard"));
            var page = browser.Page;

            // Loopback in protected mode: the stream is served without a key, so the page never asks.
            await Assertions.Expect(page.Locator("#members tbody tr[data-status='Up']")).ToHaveCountAsync(3);
            await Assertions.Expect(page.Locator("#access")).ToBeHiddenAsync();
            Assert.Equal(3, await browser.NumberAsync("#total-members"));

            var group = $"dash-{Guid.NewGuid():N}"[..16];
            for (var n = 0; n < 3 * ClientsPerNode; n++)
            {
                clients.Add(await Client.ConnectAsync(new Uri(
                    $"ws://127.0.0.1:{httpBase + n % 3}/ws?user_id=viewer-{n}-{Guid.NewGuid():N}&groups={group}")));
            }

            // Every poll sends one more group message, so traffic flows for as long as the page is watched.
            var sent = 0;
            await Eventually.TrueAsync(async () =>
            {
                await clients[sent++ % clients.Count].SendAsync($$"""{"type":"chat","group":"{{group}}","data":{{sent}}}""");
                return await browser.NumberAsync("#total-connections") >= clients.Count
                       && await browser.NumberAsync("#total-in") > 0
                       && await browser.NumberAsync("#total-out") > 0
                       && await browser.NumberAsync("#total-deliveries") > 0
                       && await browser.NumberAsync("#charts figure:nth-child(4)", "data-latest") > 0
                       && await GroupConnectionsAsync(page, group) == clients.Count.ToString();
            }, "the dashboard shows the clients, their messages and their group, counted on all three nodes");

            // Every node carries some of it: each member's row shows its own clients.
            foreach (var row in await page.Locator("#members tbody tr").AllAsync())
                Assert.NotEqual("0", await row.Locator("td.num").First.TextContentAsync());
        }
        finally
        {
            foreach (var client in clients)
                await client.DisposeAsync();
            Assert.Equal(0, await ClusterScript.RunAsync("stop", environment));
        }
        Assert.Empty(Directory.GetFiles(run, "*.pid"));
    }

    private static async Task<string?> GroupConnectionsAsync(IPage page, string group)
    {
        var row = page.Locator($"#groups tbody tr[data-group='{group}'] td:nth-child(3)");
        return await row.CountAsync() == 1 ? await row.TextContentAsync() : null;
    }
}

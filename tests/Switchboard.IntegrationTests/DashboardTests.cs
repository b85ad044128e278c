using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Switchboard.Contracts;
using Switchboard.IntegrationTests.Support;

namespace Switchboard.IntegrationTests;

/// <summary>
/// The dashboard on a node with API keys: the page is open and strict about what it runs, its data stream needs the
/// <c>admin</c> scope, and in a real browser the page asks for the key and sends it as a header, never in a URL.
/// </summary>
public sealed partial class DashboardTests(KeyedServerFixture keyed) : IClassFixture<KeyedServerFixture>
{
    private const string Stream = "/ws" + AdminRoutes.Dashboard;

    private static string Unique(string name) => $"{name}-{Guid.NewGuid():N}"[..20];

    private async Task<HttpResponseMessage> GetAsync(string path, string? key = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (key is not null)
            request.Headers.Add("X-API-Key", key);
        return await keyed.Server.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    [Theory]
    [InlineData("/ws/dashboard", "text/html")]
    [InlineData("/ws/dashboard/dashboard.js", "text/javascript")]
    [InlineData("/ws/dashboard/dashboard.css", "text/css")]
    [InlineData("/ws/dashboard/icon.svg", "image/svg+xml")]
    public async Task Page_files_are_served_without_a_key_under_a_policy_of_this_origin_only(string path, string type)
    {
        using var response = await GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(type, response.Content.Headers.ContentType?.MediaType);
        var policy = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'none'", policy);
        Assert.Contains("script-src 'self'", policy);
        Assert.Contains("connect-src 'self'", policy);
        Assert.DoesNotContain("unsafe-inline", policy);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.NotEmpty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Page_has_no_inline_script_and_no_other_file_is_served()
    {
        var html = await (await GetAsync("/ws/dashboard")).Content.ReadAsStringAsync();
        var scripts = ScriptTag().Matches(html);
        Assert.NotEmpty(scripts);
        Assert.All(scripts, tag => Assert.Contains("src=", tag.Value));
        Assert.DoesNotMatch(EventHandlerAttribute(), html);
        using var slashed = await GetAsync("/ws/dashboard/");
        Assert.Equal(HttpStatusCode.OK, slashed.StatusCode);
        Assert.Equal("/ws/dashboard", slashed.RequestMessage!.RequestUri!.AbsolutePath); // redirected, so that its files resolve
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync("/ws/dashboard/switchboard.hocon")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync("/ws/dashboard/..%2Fhealth")).StatusCode);
    }

    [GeneratedRegex("<script[^>]*>")]
    private static partial Regex ScriptTag();

    [GeneratedRegex(@"<[^>]*\son[a-z]+\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex EventHandlerAttribute();

    [Theory]
    [InlineData(null, 401, "unauthorized")]
    [InlineData(KeyedServerFixture.Reader, 403, "forbidden")]
    [InlineData(KeyedServerFixture.Publisher, 403, "forbidden")]
    [InlineData("not-a-key-of-this-node", 401, "unauthorized")]
    public async Task Stream_refuses_a_caller_without_the_admin_scope_with_a_json_error(string? key, int status, string code)
    {
        using var response = await GetAsync(Stream, key);
        Assert.Equal(status, (int)response.StatusCode);
        var error = await response.Content.ReadFromJsonAsync<ErrorBody>(AdminJson.Options);
        Assert.Equal(code, error!.Error);
        Assert.False(string.IsNullOrEmpty(error.Message));
    }

    [Fact]
    public async Task Stream_sends_members_top_sample_and_the_largest_groups_first()
    {
        var (big, small) = (Unique("big"), Unique("small"));
        var clients = new List<Client>();
        try
        {
            for (var i = 0; i < 3; i++)
                clients.Add(await Client.ConnectAsync(keyed.Server.WebSocketUri($"user_id={Unique("member")}&groups={big}")));
            clients.Add(await Client.ConnectAsync(keyed.Server.WebSocketUri($"user_id={Unique("member")}&groups={small}")));

            DashboardSample? seen = null;
            await foreach (var (contentType, sample) in AdminClient.EventsAsync<DashboardSample>(keyed.Server.Http, Stream,
                               KeyedServerFixture.Operator))
            {
                Assert.Equal("text/event-stream", contentType);
                seen = sample;
                if (sample.LargestGroups.Any(g => g.Group == small))
                    break;
            }

            var member = Assert.Single(seen!.Members);
            Assert.Equal(seen.Self, member.Address);
            Assert.Equal("Up", member.Status);
            Assert.Equal(keyed.Server.Hub.Node, Assert.Single(seen.Top.Nodes).Node);
            Assert.True(seen.Top.Totals.Connections >= clients.Count);
            Assert.Empty(seen.Hooks); // none configured
            var ours = seen.LargestGroups.Where(g => g.Group == big || g.Group == small).ToList();
            Assert.Equal([new GroupSummary(big, 3, 3), new GroupSummary(small, 1, 1)], ours);
            Assert.Equal(seen.LargestGroups.OrderByDescending(g => g.Connections).Select(g => g.Connections),
                seen.LargestGroups.Select(g => g.Connections));
        }
        finally
        {
            foreach (var client in clients)
                await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task Browser_asks_for_the_key_shows_a_refusal_and_sends_the_key_as_a_header_never_in_a_url()
    {
        await using var browser = await DashboardBrowser.OpenAsync(new Uri(keyed.Server.BaseUri, "/ws/dashboard"));
        var page = browser.Page;

        // No key yet: the stream is refused and the page asks, with the node's message.
        await Assertions.Expect(page.Locator("#access")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#refusal")).Not.ToBeEmptyAsync();

        // A key without the admin scope: refused, and the page asks again, saying so.
        await page.FillAsync("#key", KeyedServerFixture.Reader);
        await page.ClickAsync("#key-form button");
        await Assertions.Expect(page.Locator("#refusal")).ToContainTextAsync("refused that key");
        await Assertions.Expect(page.Locator("#refusal")).ToContainTextAsync("admin");

        await page.FillAsync("#key", KeyedServerFixture.Operator);
        await page.ClickAsync("#key-form button");
        await Assertions.Expect(page.Locator("#members tbody tr[data-status='Up']")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#access")).ToBeHiddenAsync();
        // No hook is configured: the page shows nothing of hooks.
        await Assertions.Expect(page.Locator("#hooks-panel")).ToBeHiddenAsync();

        // Kept for the tab's session: a reload streams at once.
        Assert.Equal(KeyedServerFixture.Operator, await page.EvaluateAsync<string>("sessionStorage.getItem('switchboard.dashboard.key')"));
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#members tbody tr[data-status='Up']")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#access")).ToBeHiddenAsync();

        var requests = browser.Requests;
        Assert.All(requests, r =>
        {
            Assert.DoesNotContain(KeyedServerFixture.Operator, r.Url);
            Assert.DoesNotContain(KeyedServerFixture.Reader, r.Url);
        });
        var streams = requests.Where(r => r.Url.EndsWith(AdminRoutes.Dashboard, StringComparison.Ordinal)).ToList();
        var keys = streams.Select(r => r.Headers.GetValueOrDefault("x-api-key", "")).ToList();
        Assert.True(keys.Count >= 4, string.Join(", ", keys.Select(k => k.Length == 0 ? "none" : "a key")));
        Assert.Equal(["", KeyedServerFixture.Reader], keys.Take(2));
        Assert.All(keys.Skip(2), key => Assert.Equal(KeyedServerFixture.Operator, key));
    }
}

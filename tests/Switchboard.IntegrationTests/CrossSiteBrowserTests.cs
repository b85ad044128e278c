using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.IntegrationTests.Support;
using Switchboard.Service.Auth;

namespace Switchboard.IntegrationTests;

/// <summary>
/// Issue 28, item 4 with a real headless Chromium: a page from another loopback origin drives a visitor's browser to
/// POST to the node in protected mode, as fetch without CORS (text/plain, no preflight) and as forms. The node counts
/// each refusal, which proves the browser sent them; the victim's first frame afterwards is an honest marker.
/// </summary>
public sealed class CrossSiteBrowserTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private static readonly int ForbiddenOrigin = AuthRefusals.Reasons.ToList().IndexOf("forbidden_origin");

    // 127.0.0.1 at another port is the same site to the browser (Sec-Fetch-Site: same-site), localhost another site.
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("localhost")]
    public async Task A_page_of_another_origin_changes_nothing(string pageHost)
    {
        var server = fixture.Server;
        await using var pages = await PageServer.StartAsync();
        await using var victim = await Client.ConnectAsync(server.WebSocketUri($"user_id={$"victim-{Guid.NewGuid():N}"[..20]}"));
        var refusals = server.Services.GetRequiredService<AuthRefusals>();
        var refusedBefore = refusals.Count(ForbiddenOrigin);

        var report = await pages.VisitAsync(pageHost, AttackPage(server, victim.UserId));

        Assert.Equal("sent /message; sent /broadcast; sent /admin/kick; sent /admin/nodes/drain; " +
                     "form /message loaded; form /admin/nodes/drain loaded", report);
        Assert.Equal(6, refusals.Count(ForbiddenOrigin) - refusedBefore);
        Assert.Equal(200, (int)(await server.Http.GetAsync("/ws/health")).StatusCode);
        var marker = $"marker-{Guid.NewGuid():N}";
        Assert.Equal(202, (int)(await server.Http.PostAsync("/ws/message", new StringContent(
            $$"""{"to":"{{victim.UserId}}","type":"marker","data":"{{marker}}"}""", Encoding.UTF8, "application/json"))).StatusCode);
        Assert.Equal(marker, (await victim.ReceiveAsync()).GetProperty("data").GetString());
    }

    // Each request as a page may send it without asking the node first; the report lists them in order. The text/plain
    // form's field name and value make its body the JSON of a message: name=value is {"to":..,"pad":"="}.
    private static string AttackPage(SwitchboardServer node, string victim) => $$"""
        <!doctype html>
        <html><body><script>
        const node = 'http://127.0.0.1:{{node.BaseUri.Port}}/ws';
        const results = [];
        async function send(path, body) {
          try {
            await fetch(node + path, { method: 'POST', mode: 'no-cors', body, headers: { 'Content-Type': 'text/plain' } });
            results.push('sent ' + path);
          } catch (e) {
            results.push('failed ' + path + ' ' + e);
          }
        }
        function submit(path, enctype, name, value) {
          return new Promise(resolve => {
            const sink = document.createElement('iframe');
            sink.name = 'sink-' + results.length;
            document.body.appendChild(sink);
            sink.onload = () => { results.push('form ' + path + ' loaded'); resolve(); };
            const form = document.createElement('form');
            Object.assign(form, { method: 'POST', action: node + path, enctype, target: sink.name });
            const field = document.createElement('input');
            Object.assign(field, { type: 'hidden', name, value });
            form.appendChild(field);
            document.body.appendChild(form);
            form.submit();
          });
        }
        (async () => {
          await send('/message', JSON.stringify({ to: '{{victim}}', type: 'attack', data: 'fetch' }));
          await send('/broadcast', JSON.stringify({ type: 'attack' }));
          await send('/admin/kick', JSON.stringify({ user_id: '{{victim}}' }));
          await send('/admin/nodes/drain', '{}');
          await submit('/message', 'text/plain', '{"to":"{{victim}}","type":"attack","pad":"', '"}');
          await submit('/admin/nodes/drain', 'application/x-www-form-urlencoded', 'address', '');
          fetch('/report?result=' + encodeURIComponent(results.join('; ')));
        })();
        </script></body></html>
        """;
}

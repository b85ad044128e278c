using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Switchboard.IntegrationTests.Support;
using Switchboard.Service.Hosting;
using Switchboard.Service.Tests.Deploy.Support;

namespace Switchboard.IntegrationTests;

/// <summary>
/// One node run as deploy/base runs it: started through the image's entrypoint under a soft open-file limit below the
/// hard one, with the manifest's variables and the keys make-secrets.sh makes. Its probes answer on the manifest's
/// paths (and compose's health check on its), and the manifest's preStop hook drains it to a clean exit.
/// </summary>
public sealed class DeployedNodeTests
{
    /// <summary>A soft limit as container runtimes often start with; the entrypoint raises it to the hard one.</summary>
    private const int LoweredSoftLimit = 1024;

    [Fact]
    public async Task A_node_run_as_the_manifest_runs_it_takes_its_hard_open_file_limit_answers_its_probes_and_drains_on_preStop()
    {
        var rendered = DeployFolder.Render("base");
        var container = rendered.Deployment().Container();
        var secrets = DeployFolder.MadeSecrets();
        var environment = new Dictionary<string, string>(rendered.Environment(secrets));
        // Loopback stands in for the pod's address and free ports for the pod's own. Bootstrap through the Kubernetes
        // API needs a cluster: without its variables the node forms a cluster of one, as a node without seeds does.
        var http = ServiceProcess.FreePort();
        environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{http}";
        environment["CLUSTER_HOSTNAME"] = "127.0.0.1";
        environment["CLUSTER_PORT"] = ServiceProcess.FreePort().ToString();
        foreach (var bootstrap in environment.Keys.Where(k => k.StartsWith("CLUSTER_DISCOVERY", StringComparison.Ordinal)
                                                              || k is "CLUSTER_REQUIRED_CONTACTS" or "CLUSTER_MANAGEMENT_PORT").ToList())
            environment.Remove(bootstrap);

        await using var node = ServiceProcess.StartThroughEntrypoint(environment, LoweredSoftLimit);
        using var client = new HttpClient { BaseAddress = node.BaseUri };
        await Eventually.TrueAsync(async () =>
        {
            Assert.False(node.HasExited, node.Output);
            return (await client.GetAsync(container.ReadinessProbe.HttpGet.Path)).IsSuccessStatusCode;
        }, "the node is ready");
        Assert.Equal("ok", await StatusAsync(client, container.ReadinessProbe.HttpGet.Path));
        Assert.Equal("alive", await StatusAsync(client, container.LivenessProbe.HttpGet.Path));
        Assert.Equal("alive", await StatusAsync(client, container.StartupProbe.HttpGet.Path));
        var compose = Service.Tests.Deploy.Support.ComposeFile.HealthCheckUrl(Service.Tests.Deploy.Support.ComposeFile.Nodes()[0].Service);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(compose.PathAndQuery)).StatusCode);

        // The entrypoint raised the soft limit to the hard one, and the node shared out that limit, not the lowered one.
        var limits = File.ReadLines($"/proc/{node.Id}/limits").Single(l => l.StartsWith("Max open files", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(limits[3], limits[4]);
        client.DefaultRequestHeaders.Add("X-API-Key", secrets["Auth__ApiKeys__0__Key"]);
        var cap = (await client.GetFromJsonAsync<JsonElement>("/ws/stats")).GetProperty("max_connections").GetInt32();
        Assert.True(cap > new OpenFileBudget(LoweredSoftLimit, 0).MaxWebSockets, $"max_connections {cap}");

        var token = TestTokens.Mint("deployed-ann", TestTokens.Hs256(secrets["Auth__Jwt__Secret"]), issuer: null, audience: null);
        await using var socket = await RawWebSocket.ConnectAsync(node.BaseUri, $"/ws?access_token={token}");
        Assert.Equal(101, socket.Status);

        // The hook as kubelet runs it in the container, but for the node's port: it starts the drain and waits it out.
        var command = container.Lifecycle.PreStop.Exec.Command;
        var preStop = new ProcessStartInfo(command[0]) { RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in command.Skip(1))
            preStop.ArgumentList.Add(argument.Replace("127.0.0.1:8080", node.BaseUri.Authority, StringComparison.Ordinal));
        foreach (var (name, value) in environment)
            preStop.Environment[name] = value;
        using var hook = Process.Start(preStop)!;
        try
        {
            var close = await socket.ReceiveCloseAsync();
            Assert.Equal((1001, "node draining"), (close!.CloseCode, close.CloseReason));
            await socket.DisposeAsync(); // as a client does on a close: the node waits for its connections to end
            Assert.Equal(0, await node.WaitForExitAsync());
            using var guard = new CancellationTokenSource(Eventually.Deadline);
            await hook.WaitForExitAsync(guard.Token);
            Assert.True(hook.ExitCode == 0, await hook.StandardError.ReadToEndAsync());
            Assert.Contains("Draining: closing 1 connections with 1001 in batches", node.Output);
        }
        finally
        {
            if (!hook.HasExited)
                hook.Kill();
        }
    }

    private static async Task<string> StatusAsync(HttpClient client, string path)
    {
        var answer = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        return (await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString()!;
    }
}

using System.Diagnostics;
using System.Net.WebSockets;
using System.Net.Http.Json;
using System.Text.Json;
using Switchboard.IntegrationTests.Support;

namespace Switchboard.IntegrationTests;

/// <summary>
/// scripts/cluster.sh, the Docker-free way to run three nodes, starts a cluster and stops it gracefully; every node
/// enforces the same token settings, so a token minted once works on each; the real sbctl sees and acts on all three.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterScriptTests
{
    [Fact]
    public async Task Script_starts_three_nodes_that_take_one_token_everywhere_answer_sbctl_and_stop()
    {
        var run = Directory.CreateTempSubdirectory("switchboard-cluster").FullName;
        var (httpBase, remoteBase) = (ServiceProcess.FreePorts(3), ServiceProcess.FreePorts(3));
        var environment = new Dictionary<string, string>
        {
            ["NODES"] = "3",
            ["HTTP_BASE"] = httpBase.ToString(),
            ["REMOTE_BASE"] = remoteBase.ToString(),
            ["RUN_DIR"] = run,
            ["SWITCHBOARD_DLL"] = ServiceProcess.ServiceAssembly,
            ["Auth__Jwt__Secret"] = TestTokens.Secret,
        };
        try
        {
            Assert.Equal(0, await ScriptAsync("start", environment));
            using var http = new HttpClient();
            for (var n = 0; n < 3; n++)
            {
                var health = new Uri($"http://127.0.0.1:{httpBase + n}/ws/health");
                await Eventually.TrueAsync(async () =>
                    (await http.GetFromJsonAsync<JsonElement>(health)).GetProperty("cluster_members").GetInt32() == 3,
                    $"node {n + 1} sees three members");
            }

            var ann = TestTokens.Mint("ann", issuer: null, audience: null);
            var devices = new List<Client>();
            for (var n = 0; n < 3; n++)
                devices.Add(await Client.ConnectAsync(new Uri($"ws://127.0.0.1:{httpBase + n}/ws?access_token={ann}")));
            await Eventually.TrueAsync(async () =>
                (await http.GetFromJsonAsync<JsonElement>(new Uri($"http://127.0.0.1:{httpBase}/ws/users/ann"))).GetProperty("connections").GetInt32() == 3,
                "ann's three connections are registered");
            await using var ben = await Client.ConnectAsync(new Uri(
                $"ws://127.0.0.1:{httpBase}/ws?access_token={TestTokens.Mint("ben", issuer: null, audience: null)}"));
            await ben.SendAsync("""{"type":"chat","to":"ann","data":"hi","id":1}""");
            Assert.Equal("ack", (await ben.ReceiveAsync()).GetProperty("type").GetString());
            foreach (var device in devices)
            {
                Assert.Equal("ann", device.UserId);
                Assert.Equal("hi", (await device.ReceiveAsync()).GetProperty("data").GetString());
            }

            // The operator's view with the real sbctl (protected mode: loopback callers need no key).
            var node = $"http://127.0.0.1:{httpBase + 1}";
            var members = (await SbctlJsonAsync("cluster", "show", "--node", node)).GetProperty("members").EnumerateArray().ToList();
            Assert.Equal(3, members.Count(m => m.GetProperty("status").GetString() == "Up"));
            var regionNodes = (await SbctlJsonAsync("cluster-sharding", "region-stats", "-r", "user", "--node", node)).GetProperty("nodes");
            Assert.Equal(3, regionNodes.GetArrayLength());
            var connections = (await SbctlJsonAsync("connections", "list", "--user", "ann", "--node", node)).GetProperty("connections")
                .EnumerateArray().ToList();
            Assert.Equal(3, connections.Select(c => c.GetProperty("node").GetString()).Distinct().Count());
            Assert.Equal(3, (await SbctlJsonAsync("kick", "--user", "ann", "--node", node)).GetProperty("closed").GetInt32());
            foreach (var device in devices)
            {
                Assert.Equal((WebSocketCloseStatus)1008, await device.ReceiveCloseAsync());
                Assert.Equal("kicked", device.Socket.CloseStatusDescription);
                await device.DisposeAsync();
            }
        }
        finally
        {
            Assert.Equal(0, await ScriptAsync("stop", environment));
        }
        Assert.Empty(Directory.GetFiles(run, "*.pid"));
    }

    private static async Task<JsonElement> SbctlJsonAsync(params string[] args)
    {
        var run = await Sbctl.RunAsync([.. args, "--json"]);
        Assert.True(run.ExitCode == 0, run.ToString());
        return run.Json();
    }

    private static async Task<int> ScriptAsync(string command, IDictionary<string, string> environment)
    {
        var info = new ProcessStartInfo("bash") { UseShellExecute = false, RedirectStandardOutput = true };
        info.ArgumentList.Add(Path.Combine(ServiceProcess.RepositoryRoot, "scripts", "cluster.sh"));
        info.ArgumentList.Add(command);
        foreach (var (name, value) in environment)
            info.Environment[name] = value;
        using var script = Process.Start(info)!;
        await script.StandardOutput.ReadToEndAsync();
        using var guard = new CancellationTokenSource(Eventually.Deadline * 2);
        await script.WaitForExitAsync(guard.Token);
        return script.ExitCode;
    }
}

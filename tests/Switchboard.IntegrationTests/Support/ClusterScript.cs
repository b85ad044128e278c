using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Switchboard.IntegrationTests.Support;

/// <summary>
/// scripts/cluster.sh with three nodes on free loopback ports and a run folder of their own: <see cref="Prepare"/> makes
/// its environment, <see cref="StartAsync"/> starts the nodes (the script returns once each serves) and waits until each
/// sees all three, <see cref="RestartAsync"/> restarts one, <see cref="RunAsync"/> runs a command (<c>stop</c> in a
/// test's <c>finally</c>), <see cref="RunWithOutputAsync"/> one whose output a test reads.
/// </summary>
public static class ClusterScript
{
    public static (string Run, int HttpBase, Dictionary<string, string> Environment) Prepare(params (string Name, string Value)[] settings)
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
        };
        foreach (var (name, value) in settings)
            environment[name] = value;
        return (run, httpBase, environment);
    }

    public static async Task StartAsync(Dictionary<string, string> environment, int httpBase)
    {
        var start = await RunWithOutputAsync("start", environment);
        Assert.True(start.ExitCode == 0, start.Error);
        // The script returns only once every node serves: no wait here.
        using var http = new HttpClient();
        for (var n = 0; n < 3; n++)
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri($"http://127.0.0.1:{httpBase + n}/ws/health"))).StatusCode);
        await EveryNodeSeesThreeAsync(httpBase);
    }

    /// <summary>Restarts node <paramref name="node"/> (1-based) by the script and waits until every node sees all three again.</summary>
    public static async Task RestartAsync(Dictionary<string, string> environment, int httpBase, int node)
    {
        var restart = await RunWithOutputAsync("restart", environment, node.ToString());
        Assert.True(restart.ExitCode == 0, restart.Error);
        await EveryNodeSeesThreeAsync(httpBase);
    }

    private static async Task EveryNodeSeesThreeAsync(int httpBase)
    {
        using var http = new HttpClient();
        for (var n = 0; n < 3; n++)
        {
            var health = new Uri($"http://127.0.0.1:{httpBase + n}/ws/health");
            await Eventually.TrueAsync(async () =>
                (await http.GetFromJsonAsync<JsonElement>(health)).GetProperty("cluster_members").GetInt32() == 3,
                $"node {n + 1} sees three members");
        }
    }

    public static async Task<int> RunAsync(string command, IDictionary<string, string> environment, params string[] arguments) =>
        (await RunWithOutputAsync(command, environment, arguments)).ExitCode;

    public static async Task<(int ExitCode, string Output, string Error)> RunWithOutputAsync(
        string command, IDictionary<string, string> environment, params string[] arguments)
    {
        var info = new ProcessStartInfo("bash") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Path.Combine(ServiceProcess.RepositoryRoot, "scripts", "cluster.sh"));
        info.ArgumentList.Add(command);
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);
        foreach (var (name, value) in environment)
            info.Environment[name] = value;
        using var script = Process.Start(info)!;
        var (output, error) = (script.StandardOutput.ReadToEndAsync(), script.StandardError.ReadToEndAsync());
        using var guard = new CancellationTokenSource(Eventually.Deadline * 3);
        await script.WaitForExitAsync(guard.Token);
        return (script.ExitCode, await output, await error);
    }
}

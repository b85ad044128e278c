using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Switchboard.Client.Tests.Support;

namespace Switchboard.Client.Tests;

/// <summary>
/// The three-node script with history on in the Redis store (HISTORY_STORE=redis), so that a killed node loses no
/// stream: that is the setting under test (with the memory store a lost keeper means a new epoch).
/// </summary>
public sealed class RedisCluster : IAsyncLifetime
{
    private RedisServer? _redis;
    private string _run = "";
    private Dictionary<string, string> _environment = [];
    private int _httpBase;

    public IReadOnlyList<Uri> Ws => Enumerable.Range(0, 3).Select(n => new Uri($"ws://127.0.0.1:{_httpBase + n}/ws")).ToList();

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        (_run, _httpBase, _environment) = ClusterScript.Prepare(
            ("WEBSOCKET_HISTORY_SIZE", "5000"), ("HISTORY_STORE", "redis"), ("HISTORY_REDIS", _redis.ConnectionString));
        await ClusterScript.StartAsync(_environment, _httpBase);
    }

    /// <summary>SIGKILL to node <paramref name="index"/> (0-based), then a survivor downs it, as the split brain resolver would, sooner.</summary>
    public async Task KillAsync(int index)
    {
        using (var process = Process.GetProcessById(int.Parse(File.ReadAllText(Path.Combine(_run, $"node{index + 1}.pid")).Trim())))
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
        var survivor = $"http://127.0.0.1:{_httpBase + (index + 1) % 3}";
        using var http = new HttpClient();
        await Eventually.TrueAsync(async () =>
            (await http.PostAsync($"{survivor}/ws/admin/cluster/down-unreachable", JsonContent.Create(new { }))).IsSuccessStatusCode
            && (await http.GetFromJsonAsync<JsonElement>($"{survivor}/ws/health")).GetProperty("cluster_members").GetInt32() == 2,
            $"node {index + 1} is downed");
    }

    public async Task DisposeAsync()
    {
        if (_environment.Count > 0)
            await ClusterScript.RunAsync("stop", _environment);
        if (_redis is not null)
            await _redis.DisposeAsync();
        if (_run != "")
            Directory.Delete(_run, recursive: true);
    }
}

/// <summary>
/// The node holding a client is killed while two users message each other: the client reconnects to another node of
/// its list, resumes, resends what was not acknowledged, and each application sees every message of the other once, in order.
/// </summary>
public sealed class ClusterTests(RedisCluster cluster) : IClassFixture<RedisCluster>
{
    [Fact]
    public async Task A_killed_nodes_client_reconnects_elsewhere_resumes_and_both_users_see_every_message_once_in_order()
    {
        await using var clients = new Clients();
        var ws = cluster.Ws;
        var roamer = clients.Make("cluster-roamer", ws);
        var steady = clients.Make("cluster-steady", [ws[1], ws[2]]);
        var roamerSaw = new Recorder(roamer);
        var steadySaw = new Recorder(steady);
        await Task.WhenAll(roamer.ConnectAsync(), steady.ConnectAsync());

        using var stop = new CancellationTokenSource();
        var toSteady = SendNumbersAsync(roamer, "cluster-steady", stop.Token);
        var toRoamer = SendNumbersAsync(steady, "cluster-roamer", stop.Token);
        await Eventually.TrueAsync(() => roamerSaw.Messages.Count >= 20 && steadySaw.Messages.Count >= 20, "messages flow both ways");

        await cluster.KillAsync(0);
        await roamerSaw.UntilAsync(s => s.States[^1] == ConnectionState.Connected && s.States.Contains(ConnectionState.Reconnecting),
            "the roamer is back");
        var (roamerBack, steadyBack) = (roamerSaw.Messages.Count, steadySaw.Messages.Count);
        await Eventually.TrueAsync(() => roamerSaw.Messages.Count >= roamerBack + 20 && steadySaw.Messages.Count >= steadyBack + 20,
            "messages flow again");
        stop.Cancel();
        var (ackedBySteady, ackedByRoamer) = (await toSteady, await toRoamer);
        await Eventually.TrueAsync(() => roamerSaw.Messages.Count >= ackedByRoamer && steadySaw.Messages.Count >= ackedBySteady,
            "each user has every acknowledged message");

        Assert.Equal(Numbers(ackedByRoamer), roamerSaw.Messages.Select(m => (long)m.Data.GetInt32()));
        Assert.Equal(Numbers(ackedBySteady), steadySaw.Messages.Select(m => (long)m.Data.GetInt32()));
        Assert.Equal(Numbers(ackedByRoamer), roamerSaw.Messages.Select(m => m.Seq ?? 0));
        Assert.Contains(roamerSaw.Resumed, r => r.Stream == "user" && r.Recovered);
        Assert.All(roamerSaw.Resumed, r => Assert.True(r.Recovered, "no resume lost anything"));
        Assert.Equal([ConnectionState.Connecting, ConnectionState.Connected], steadySaw.States);
    }

    /// <summary>Sends 1, 2, 3, ... to <paramref name="to"/>, each once the previous was acknowledged, until stopped; how many were acknowledged.</summary>
    private static async Task<int> SendNumbersAsync(SwitchboardClient from, string to, CancellationToken stop)
    {
        var acked = 0;
        while (!stop.IsCancellationRequested)
        {
            await from.SendToUserAsync(to, "count", acked + 1);
            acked++;
            await Task.Delay(20, CancellationToken.None);
        }
        return acked;
    }

    private static IEnumerable<long> Numbers(int count) => Enumerable.Range(1, count).Select(n => (long)n);
}

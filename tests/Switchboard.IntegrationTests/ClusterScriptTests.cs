using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using System.Net.WebSockets;
using System.Net.Http.Json;
using System.Text.Json;
using Switchboard.IntegrationTests.Support;

namespace Switchboard.IntegrationTests;

/// <summary>
/// scripts/cluster.sh, the Docker-free way to run three nodes, starts a cluster and stops it gracefully; every node
/// enforces the same token settings, so a token minted once works on each; the real sbctl sees and acts on all three.
/// start returns once every node serves (<see cref="ClusterScript.StartAsync"/> asks each node's /ws/health right after
/// it), refuses taken ports and starts nothing then, and kills what it started when the nodes do not serve in time.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterScriptTests
{
    [Fact]
    public async Task Script_starts_three_nodes_that_take_one_token_everywhere_answer_sbctl_and_stop()
    {
        var (run, httpBase, environment) = ClusterScript.Prepare(("Auth__Jwt__Secret", TestTokens.Secret));
        try
        {
            await ClusterScript.StartAsync(environment, httpBase);
            using var http = new HttpClient();
            await ReadmeSbctlSamplesAreWhatSbctlPrintsAsync(environment, httpBase);

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
            var members = (await SbctlJsonAsync(node, "cluster", "show")).GetProperty("members").EnumerateArray().ToList();
            Assert.Equal(3, members.Count(m => m.GetProperty("status").GetString() == "Up"));
            var regionNodes = (await SbctlJsonAsync(node, "cluster-sharding", "region-stats", "-r", "user")).GetProperty("nodes");
            Assert.Equal(3, regionNodes.GetArrayLength());
            var connections = (await SbctlJsonAsync(node, "connections", "list", "--user", "ann")).GetProperty("connections")
                .EnumerateArray().ToList();
            var onNodes = connections.Select(c => c.GetProperty("node").GetString()!).Distinct().ToList();
            Assert.Equal(3, onNodes.Count);
            var onFirst = (await SbctlJsonAsync(node, "connections", "list", "--user", "ann", "--node", onNodes[0])).GetProperty("connections");
            Assert.Equal(onNodes[0], Assert.Single(onFirst.EnumerateArray()).GetProperty("node").GetString());
            Assert.Equal(3, (await SbctlJsonAsync(node, "kick", "--user", "ann")).GetProperty("closed").GetInt32());
            foreach (var device in devices)
            {
                Assert.Equal((WebSocketCloseStatus)1008, await device.ReceiveCloseAsync());
                Assert.Equal("kicked", device.Socket.CloseStatusDescription);
                await device.DisposeAsync();
            }
        }
        finally
        {
            Assert.Equal(0, await ClusterScript.RunAsync("stop", environment));
        }
        Assert.Empty(Directory.GetFiles(run, "*.pid"));
    }

    [Theory]
    [InlineData("restart")]
    [InlineData("restart", "0")]
    [InlineData("restart", "4")]
    [InlineData("restart", "two")]
    [InlineData("begin")]
    public async Task The_script_refuses_a_command_or_node_it_does_not_know_with_status_2(string command, params string[] arguments)
    {
        var (run, _, environment) = ClusterScript.Prepare();
        Assert.Equal(2, await ClusterScript.RunAsync(command, environment, arguments));
        Assert.Empty(Directory.GetFiles(run, "*.pid"));
    }

    [Theory]
    [InlineData("HTTP_BASE", 1)]   // node 2's HTTP port
    [InlineData("REMOTE_BASE", 2)] // node 3's remoting port
    public async Task Start_refuses_a_taken_port_with_its_number_and_starts_nothing(string setting, int index)
    {
        var (run, httpBase, environment) = ClusterScript.Prepare();
        var port = int.Parse(environment[setting]) + index;
        using var taken = new TcpListener(IPAddress.Loopback, port);
        taken.Start();

        var start = await ClusterScript.RunWithOutputAsync("start", environment);

        Assert.Equal(1, start.ExitCode);
        Assert.Contains($"port(s) {port} on 127.0.0.1 already taken", start.Error);
        Assert.Contains("nothing started", start.Error);
        Assert.Empty(Directory.GetFiles(run));
        Assert.DoesNotContain("pid", start.Output);
        using var http = new HttpClient();
        foreach (var free in Enumerable.Range(httpBase, 3).Where(p => p != port))
            await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(new Uri($"http://127.0.0.1:{free}/ws/health")));
    }

    [Fact]
    public async Task Start_that_does_not_serve_in_time_fails_naming_the_nodes_and_leaves_no_process()
    {
        var (run, _, environment) = ClusterScript.Prepare(("START_TIMEOUT", "0"));

        var start = await ClusterScript.RunWithOutputAsync("start", environment);

        Assert.Equal(1, start.ExitCode);
        Assert.Contains("within 0 s (START_TIMEOUT)", start.Error);
        var pids = Regex.Matches(start.Output, @"\(pid (\d+),").Select(m => int.Parse(m.Groups[1].Value)).ToList();
        Assert.Equal(3, pids.Count);
        Assert.All(pids, pid => Assert.True(Gone(pid), $"pid {pid} still runs"));
        Assert.Empty(Directory.GetFiles(run, "*.pid"));
    }

    [Fact]
    public async Task Script_nodes_take_sbctls_rate_limit_a_drain_moves_clients_away_and_a_killed_node_is_downed()
    {
        var (run, httpBase, environment) = ClusterScript.Prepare();
        var urls = Enumerable.Range(0, 3).Select(n => $"http://127.0.0.1:{httpBase + n}").ToArray();
        try
        {
            await ClusterScript.StartAsync(environment, httpBase);
            using var http = new HttpClient();

            // A rate set through one node is applied by all three.
            const string route = "/ws/health/live";
            var set = await SbctlJsonAsync(urls[1], "ratelimit", "set", "--rate", "off", "--route", $"{route}=1-H", "--yes");
            Assert.Equal("1-H", set.GetProperty("per_route_rates").GetProperty(route).GetString());
            Assert.Equal(0, set.GetProperty("missing_nodes").GetArrayLength());
            foreach (var url in urls)
            {
                await Eventually.TrueAsync(async () => (await SbctlJsonAsync(url, "ratelimit", "show"))
                    .GetProperty("per_route_rates").TryGetProperty(route, out var rate) && rate.GetString() == "1-H",
                    $"{url} shows the new rate");
                Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(url + route)).StatusCode);
                Assert.Equal(HttpStatusCode.TooManyRequests, (await http.GetAsync(url + route)).StatusCode);
            }

            // The third node's clients get 1001 and find the first node; the drained node leaves and its process ends.
            var members = (await SbctlJsonAsync(urls[0], "cluster", "show")).GetProperty("members").EnumerateArray()
                .Select(m => m.GetProperty("address").GetString()!).ToList();
            var third = members.Single(m => m.EndsWith($":{ServicePort(environment, 2)}", StringComparison.Ordinal));
            var clients = new List<Client>();
            for (var i = 0; i < 2; i++)
                clients.Add(await Client.ConnectAsync(new Uri($"ws://127.0.0.1:{httpBase + 2}/ws?user_id=drained-{i}")));
            var drain = await SbctlJsonAsync(urls[0], "node", "drain", third, "--yes");
            Assert.True(drain.GetProperty("done").GetBoolean(), drain.ToString());
            foreach (var client in clients)
            {
                Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, await client.ReceiveCloseAsync());
                await using var again = await Client.ConnectAsync(new Uri($"ws://127.0.0.1:{httpBase}/ws?user_id={client.UserId}"));
                Assert.Equal(client.UserId, again.UserId);
                await client.DisposeAsync();
            }
            await Eventually.TrueAsync(() => Task.FromResult(Exited(run, 3)), "the drained node's process ends");
            await Eventually.TrueAsync(async () => (await SbctlJsonAsync(urls[0], "cluster", "show")).GetProperty("members")
                .EnumerateArray().All(m => m.GetProperty("address").GetString() != third), "the drained node has left");

            // A killed node never says goodbye: it stays unreachable until an operator downs it.
            var second = members.Single(m => m.EndsWith($":{ServicePort(environment, 1)}", StringComparison.Ordinal));
            Process.GetProcessById(Pid(run, 2)).Kill();
            await Eventually.TrueAsync(async () => (await SbctlJsonAsync(urls[0], "cluster", "show")).GetProperty("members")
                .EnumerateArray().Any(m => m.GetProperty("address").GetString() == second && !m.GetProperty("reachable").GetBoolean()),
                "the killed node is unreachable");
            var down = await SbctlJsonAsync(urls[0], "cluster", "down", second, "--yes");
            Assert.True(down.GetProperty("done").GetBoolean(), down.ToString());
            await Eventually.TrueAsync(async () => (await SbctlJsonAsync(urls[0], "cluster", "show")).GetProperty("members")
                .GetArrayLength() == 1, "the downed node is removed");
        }
        finally
        {
            Assert.Equal(0, await ClusterScript.RunAsync("stop", environment));
        }
        Assert.Empty(Directory.GetFiles(run, "*.pid"));
    }

    /// <summary>
    /// Each <c>$ sbctl</c> sample of the README that shows what it prints, run as written against node 1 (the README's
    /// SBCTL_NODE) of three: its output with this cluster's ports read as the README's (remoting 4053-4055, HTTP
    /// 8081-8083) and the build's version as <c>&lt;version&gt;</c> is the sample's, table cell by table cell.
    /// </summary>
    private static async Task ReadmeSbctlSamplesAreWhatSbctlPrintsAsync(Dictionary<string, string> environment, int httpBase)
    {
        var node = new Dictionary<string, string> { ["SBCTL_NODE"] = $"http://127.0.0.1:{httpBase}" };
        var version = (await SbctlJsonAsync(node["SBCTL_NODE"], "cluster", "show")).GetProperty("members")[0].GetProperty("version").GetString()!;
        var samples = SbctlSample.In(Markdown.Readme).Where(s => s.Output.Count > 0).ToList();
        Assert.NotEmpty(samples);
        foreach (var sample in samples)
        {
            var run = await Sbctl.RunAsync(sample.Arguments, node);
            Assert.True(run.ExitCode == 0, $"{sample.Line}\n{run}");
            var printed = sample.Pipe is null ? run.Stdout : Jq(run.Json(), sample.Pipe);
            for (var n = 0; n < 3; n++)
                printed = printed.Replace($"127.0.0.1:{ServicePort(environment, n)}", $"127.0.0.1:{4053 + n}")
                    .Replace($"127.0.0.1:{httpBase + n}", $"127.0.0.1:{8081 + n}");
            printed = printed.Replace(version, "<version>");
            var lines = printed.TrimEnd('\n').Split('\n');
            Assert.True(sample.Output.Count == lines.Length, $"{sample.Line} printed:\n{printed}");
            foreach (var (shown, actual) in sample.Output.Zip(lines))
                Assert.True(SampleLine(shown) == SampleLine(actual), $"{sample.Line}: the README shows\n{shown}\nsbctl printed\n{actual}");
        }
    }

    // A table's row as its cells (column widths follow the longest value, which the README's ports need not match); a
    // border as the kind of border it is; any other line as it is.
    private static string SampleLine(string line) =>
        line.Contains('│') ? string.Join("|", line.Split('│').Select(c => c.Trim()))
        : line.Length > 0 && "╭├╰".Contains(line[0]) ? line[0].ToString()
        : line.TrimEnd();

    // The jq filters the README pipes sbctl's JSON into: a path (.a.b), optionally then "| length".
    private static string Jq(JsonElement json, string pipe)
    {
        var filter = pipe.StartsWith("jq ", StringComparison.Ordinal) ? pipe[3..].Trim().Trim('\'') : throw new ArgumentException(pipe);
        var parts = filter.Split('|', StringSplitOptions.TrimEntries);
        var value = parts[0].Split('.', StringSplitOptions.RemoveEmptyEntries).Aggregate(json, (e, name) => e.GetProperty(name));
        return parts switch
        {
            [_] => value.GetRawText(),
            [_, "length"] => value.GetArrayLength().ToString(),
            _ => throw new ArgumentException($"a jq filter these tests do not read: {filter}"),
        };
    }

    private static int ServicePort(Dictionary<string, string> environment, int index) => int.Parse(environment["REMOTE_BASE"]) + index;

    private static int Pid(string run, int node) => int.Parse(File.ReadAllText(Path.Combine(run, $"node{node}.pid")).Trim());

    private static bool Exited(string run, int node) => Gone(Pid(run, node));

    private static bool Gone(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.HasExited;
        }
        catch (ArgumentException)
        {
            return true;
        }
    }

    // The global --node goes before the command, where connections list's own --node (a member) cannot take it.
    private static async Task<JsonElement> SbctlJsonAsync(string node, params string[] args)
    {
        var run = await Sbctl.RunAsync(["--node", node, .. args, "--json"]);
        Assert.True(run.ExitCode == 0, run.ToString());
        return run.Json();
    }
}

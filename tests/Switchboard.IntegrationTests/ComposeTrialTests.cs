using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Switchboard.IntegrationTests.Support;

namespace Switchboard.IntegrationTests;

/// <summary>
/// docker/compose.yaml's node, as far as this machine allows without Docker: docker/init-env.sh writes the secrets the
/// compose file reads, and a real node process started with node1's environment from the file (interpolated from that
/// .env, the container names swapped for this host's redis-server and loopback) serves sbctl, the dashboard's stream and
/// curl from outside with the .env's keys, and limits them by the socket's address only.
/// </summary>
public sealed class ComposeTrialTests(ComposeTrialTests.ComposeNode compose) : IClassFixture<ComposeTrialTests.ComposeNode>
{
    /// <summary>A fresh .env from the script, and node1 of the compose file on loopback with it.</summary>
    public sealed class ComposeNode : IAsyncLifetime
    {
        // The values that name the containers' network (Docker's DNS): the only ones this host runs differently.
        public static readonly string[] ContainerAddresses = ["CLUSTER_HOSTNAME", "CLUSTER_SEEDS", "RateLimiter__Redis"];

        public string Folder { get; } = Directory.CreateTempSubdirectory("switchboard-compose").FullName;
        public string EnvFile => Path.Combine(Folder, ".env");
        public ComposeFile File { get; } = ComposeFile.Load();
        public Dictionary<string, string> Secrets { get; private set; } = null!;
        public IReadOnlyDictionary<string, string> Environment { get; private set; } = null!;
        public ServiceProcess Node { get; private set; } = null!;
        public RedisServer Redis => _redis!;
        private RedisServer? _redis;

        public async Task InitializeAsync()
        {
            var script = await ComposeFile.RunInitEnvAsync(EnvFile);
            Assert.True(script.ExitCode == 0, script.Error);
            Secrets = ComposeFile.ReadEnvFile(EnvFile);
            _redis = await RedisServer.StartAsync();
            var port = ServiceProcess.FreePort();
            var environment = File.Environment("node1").ToDictionary(p => p.Key, p => Service.Tests.Deploy.Support.ComposeFile.Interpolate(p.Value, Secrets));
            environment["CLUSTER_HOSTNAME"] = "127.0.0.1";
            environment["CLUSTER_PORT"] = port.ToString();
            environment["CLUSTER_SEEDS"] = $"akka.tcp://switchboard@127.0.0.1:{port}";
            environment["RateLimiter__Redis"] = _redis.ConnectionString;
            Environment = environment;
            Node = ServiceProcess.Start(environment);
            await Node.WaitUntilHealthyAsync();
        }

        public async Task DisposeAsync()
        {
            if (Node is not null)
                await Node.DisposeAsync();
            if (_redis is not null)
                await _redis.DisposeAsync();
            Directory.Delete(Folder, recursive: true);
        }
    }

    private static readonly string[] SecretNames = ["SWITCHBOARD_ADMIN_KEY", "SWITCHBOARD_APP_KEY", "GRAFANA_ADMIN_PASSWORD"];

    private string AdminKey => compose.Secrets["SWITCHBOARD_ADMIN_KEY"];
    private string AppKey => compose.Secrets["SWITCHBOARD_APP_KEY"];

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? key = null, string? body = null,
        params (string Name, string Value)[] headers)
    {
        using var http = new HttpClient { BaseAddress = compose.Node.BaseUri };
        using var request = new HttpRequestMessage(method, path);
        if (key is not null)
            request.Headers.Add("X-API-Key", key);
        foreach (var (name, value) in headers)
            request.Headers.TryAddWithoutValidation(name, value);
        if (body is not null)
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    [Fact]
    public void The_script_writes_every_secret_the_compose_file_reads_and_the_file_says_to_run_it_without_them()
    {
        var variables = compose.File.Variables;

        Assert.Equal(SecretNames.Order(), variables.Keys.Order());
        Assert.Equal(SecretNames.Order(), compose.Secrets.Keys.Order());
        // Without docker/.env, `docker compose up` stops with this message rather than starting nodes without keys.
        Assert.All(variables.Values, rule => Assert.Matches(@"^:\?.*docker/init-env\.sh", rule));
        Assert.Throws<InvalidOperationException>(() =>
            compose.File.Environment("node1").Values.Select(v => Service.Tests.Deploy.Support.ComposeFile.Interpolate(v, new Dictionary<string, string>())).ToList());
    }

    [Fact]
    public void The_secrets_are_strong_distinct_and_readable_by_their_owner_only()
    {
        Assert.Matches("^sb_[A-Za-z0-9]{43}$", AdminKey);
        Assert.Matches("^sb_[A-Za-z0-9]{43}$", AppKey);
        Assert.Matches("^[A-Za-z0-9]{43}$", compose.Secrets["GRAFANA_ADMIN_PASSWORD"]);
        Assert.Equal(3, compose.Secrets.Values.Distinct().Count());
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, System.IO.File.GetUnixFileMode(compose.EnvFile));
    }

    [Fact]
    public async Task The_script_never_changes_a_value_and_adds_only_what_is_missing()
    {
        var folder = Directory.CreateTempSubdirectory("switchboard-env").FullName;
        try
        {
            var envFile = Path.Combine(folder, ".env");
            Assert.Equal(0, (await ComposeFile.RunInitEnvAsync(envFile)).ExitCode);
            var first = await System.IO.File.ReadAllBytesAsync(envFile);
            var again = await ComposeFile.RunInitEnvAsync(envFile);
            Assert.Equal(0, again.ExitCode);
            Assert.Contains("nothing changed", again.Output);
            Assert.Equal(first, await System.IO.File.ReadAllBytesAsync(envFile));

            // A file of the user's own, its last line unended: kept as it is, the missing names added after it.
            await System.IO.File.WriteAllTextAsync(envFile, "# mine\nSWITCHBOARD_APP_KEY=my-own-app-key-0123456789");
            var added = await ComposeFile.RunInitEnvAsync(envFile);
            Assert.Equal(0, added.ExitCode);
            Assert.Contains("added SWITCHBOARD_ADMIN_KEY GRAFANA_ADMIN_PASSWORD", added.Output);
            var lines = await System.IO.File.ReadAllLinesAsync(envFile);
            Assert.Equal(["# mine", "SWITCHBOARD_APP_KEY=my-own-app-key-0123456789"], lines[..2]);
            Assert.Equal(SecretNames.Order(), ComposeFile.ReadEnvFile(envFile).Keys.Order());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Only_the_values_naming_containers_are_swapped_for_this_host()
    {
        var hosts = string.Join('|', compose.File.Services.Select(Regex.Escape));
        // host:port of a service, or the node's own name (its hostname in the file).
        var naming = compose.File.Environment("node1").Where(p => Regex.IsMatch(p.Value, $@"(^|[@/,])({hosts}):\d") || p.Value == "node1")
            .Select(p => p.Key);
        Assert.Equal(ComposeNode.ContainerAddresses.Order(), naming.Order());
    }

    [Fact]
    public async Task Sbctl_from_outside_works_with_the_admin_key_and_says_nothing_of_a_node_without_keys()
    {
        var run = await Sbctl.RunAsync(["--node", compose.Node.BaseUri.ToString(), "cluster", "show", "--json"],
            new Dictionary<string, string> { ["SBCTL_KEY"] = AdminKey });

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("Up", Assert.Single(run.Json().GetProperty("members").EnumerateArray()).GetProperty("status").GetString());
        Assert.Equal("", run.Stderr);
    }

    [Fact]
    public async Task The_dashboards_stream_answers_the_admin_key()
    {
        using var page = await SendAsync(HttpMethod.Get, "/ws/dashboard");
        using var stream = await SendAsync(HttpMethod.Get, "/ws/admin/dashboard", AdminKey);
        using var refused = await SendAsync(HttpMethod.Get, "/ws/admin/dashboard", AppKey);

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
        Assert.Equal("text/event-stream", stream.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    [Fact]
    public async Task The_app_key_publishes_and_reads_and_no_other_key_does()
    {
        using var sent = await SendAsync(HttpMethod.Post, "/ws/message", AppKey, """{"to":"alice","type":"chat","data":"hi"}""");
        using var stats = await SendAsync(HttpMethod.Get, "/ws/stats", AppKey);
        using var none = await SendAsync(HttpMethod.Get, "/ws/stats");
        using var madeUp = await SendAsync(HttpMethod.Get, "/ws/stats", "sb_" + new string('x', 43));

        Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
        Assert.Equal(HttpStatusCode.OK, stats.StatusCode);
        Assert.False(stats.Headers.Contains("Switchboard-Api-Keys"));
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, madeUp.StatusCode);
    }

    [Fact]
    public async Task The_rate_is_the_trials_and_counts_the_socket_address_whatever_headers_a_client_sets()
    {
        var rate = compose.Environment["RateLimiter__Rate"];
        // Every bucket the nodes take a token from, as Redis sees the store's script called (MONITOR): the headers
        // below would each make a bucket of their own if the limiter were keyed on them.
        using var monitor = new TcpClient();
        await monitor.ConnectAsync(IPAddress.Loopback, compose.Redis.Port);
        var redis = monitor.GetStream();
        await redis.WriteAsync("*1\r\n$7\r\nMONITOR\r\n"u8.ToArray());
        var requests = new[] { ("203.0.113.1", "a"), ("203.0.113.2", "b"), ("198.51.100.3", "c") };
        foreach (var (forwarded, client) in requests)
        {
            using var response = await SendAsync(HttpMethod.Get, "/ws/stats", AppKey, null,
                ("X-Forwarded-For", forwarded), ("X-Real-IP", forwarded), ("X-Client-ID", client), ("Forwarded", $"for={forwarded}"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(rate.Split('-')[0], response.Headers.GetValues("X-RateLimit-Limit").Single());
        }
        var seen = new StringBuilder();
        var buffer = new byte[8192];
        using var guard = new CancellationTokenSource(Eventually.Deadline);
        while (Regex.Count(seen.ToString(), "\"EVAL(SHA)?\"", RegexOptions.IgnoreCase) < requests.Length)
            seen.Append(Encoding.UTF8.GetString(buffer, 0, await redis.ReadAsync(buffer, guard.Token)));
        var buckets = Regex.Matches(seen.ToString(), "\"(?<key>rl:[^\"]*)\"").Select(m => m.Groups["key"].Value)
            .Where(k => k != "rl:config").Distinct().ToList();

        Assert.Equal("6000-M", rate); // docs/rate-limiting.md, A local trial
        Assert.Equal(["rl:ip:127.0.0.1"], buckets);
        Assert.Equal("ip", compose.Environment["RateLimiter__Identifier"]);
        Assert.DoesNotContain(compose.Environment.Keys, k => k.StartsWith("RateLimiter__TrustedProxies", StringComparison.Ordinal));
    }
}

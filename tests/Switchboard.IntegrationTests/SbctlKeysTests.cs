using System.Net.Http.Headers;
using System.Text.Json;
using Switchboard.IntegrationTests.Support;

namespace Switchboard.IntegrationTests;

/// <summary>
/// The key step as a user takes it: the real <c>sbctl keys new</c> makes two keys, a node process is started with the
/// variables it printed (one key as itself, one as its digest), and the real sbctl calls the node with them. Keys the
/// node was not given, the digest itself among them, are refused; a key sent to a node without keys is answered, and
/// sbctl warns that it was not checked.
/// </summary>
public sealed class SbctlKeysTests(SbctlKeysTests.NodeWithMadeKeys keyed, ServerFixture unkeyed)
    : IClassFixture<SbctlKeysTests.NodeWithMadeKeys>, IClassFixture<ServerFixture>
{
    /// <summary>An admin key given to the node as itself and a read key given as its digest, both from sbctl.</summary>
    public sealed class NodeWithMadeKeys : IAsyncLifetime
    {
        public JsonElement Admin { get; private set; }
        public JsonElement Reader { get; private set; }
        public ServiceProcess Node { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Admin = await NewKeyAsync("--scopes", "admin", "--name", "operator");
            Reader = await NewKeyAsync("--scopes", "read", "--name", "monitoring", "--index", "1", "--digest");
            var environment = new[] { Admin, Reader }.SelectMany(k => k.GetProperty("environment").EnumerateArray())
                .Select(line => line.GetString()!.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
            Node = ServiceProcess.Start(environment);
            await Node.WaitUntilHealthyAsync();
        }

        private static async Task<JsonElement> NewKeyAsync(params string[] args)
        {
            var run = await Sbctl.RunAsync(["keys", "new", "--json", .. args]);
            Assert.True(run.ExitCode == 0, run.ToString());
            return run.Json();
        }

        public async Task DisposeAsync()
        {
            if (Node is not null)
                await Node.DisposeAsync();
        }
    }

    private static string KeyOf(JsonElement made) => made.GetProperty("key").GetString()!;

    private Task<SbctlResult> AgainstKeyedAsync(string? key, params string[] args) =>
        Sbctl.RunAsync(["--node", keyed.Node.BaseUri.ToString(), .. args],
            key is null ? null : new Dictionary<string, string> { ["SBCTL_KEY"] = key });

    private Task<SbctlResult> AgainstUnkeyedAsync(string? key, params string[] args) =>
        Sbctl.RunAsync(["--node", unkeyed.Server.BaseUri.ToString(), .. args],
            key is null ? null : new Dictionary<string, string> { ["SBCTL_KEY"] = key });

    [Fact]
    public async Task The_key_configured_as_printed_opens_the_admin_api_without_a_warning()
    {
        var run = await AgainstKeyedAsync(KeyOf(keyed.Admin), "cluster", "show", "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Single(run.Json().GetProperty("members").EnumerateArray());
        Assert.Equal("", run.Stderr);
        Assert.DoesNotContain(KeyOf(keyed.Admin), keyed.Node.Output);
    }

    [Fact]
    public async Task The_key_configured_by_its_digest_has_its_scope_and_no_more()
    {
        var stats = await AgainstKeyedAsync(KeyOf(keyed.Reader), "stats", "--json");
        var admin = await AgainstKeyedAsync(KeyOf(keyed.Reader), "cluster", "show");

        Assert.True(stats.ExitCode == 0, stats.ToString());
        Assert.Equal(JsonValueKind.Number, stats.Json().GetProperty("connections").ValueKind);
        Assert.True(admin.ExitCode == 1, admin.ToString());
        Assert.Contains("does not have the \"admin\" scope (forbidden, HTTP 403)", admin.Stderr);
    }

    public static TheoryData<string> Impostors => new()
    {
        "digest itself",     // what whoever reads the node's configuration has
        "digest's hex",
        "key one off",       // the admin key with its last character changed
        "made up",
    };

    [Theory]
    [MemberData(nameof(Impostors))]
    public async Task A_key_the_node_was_not_given_is_refused_with_401(string impostor)
    {
        var digest = keyed.Reader.GetProperty("digest").GetString()!;
        var admin = KeyOf(keyed.Admin);
        var key = impostor switch
        {
            "digest itself" => digest,
            "digest's hex" => digest["sha256:".Length..],
            "key one off" => admin[..^1] + (admin[^1] == 'A' ? 'B' : 'A'),
            _ => "sb_made-up-key-that-no-node-was-given-000000",
        };

        var run = await AgainstKeyedAsync(key, "stats", "--json");

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("the API key is not known here (unauthorized, HTTP 401)", run.Stderr);
        Assert.Equal("", run.Stdout);
        Assert.DoesNotContain(key, run.Stderr);
    }

    [Fact]
    public async Task A_loopback_caller_without_a_key_is_refused_once_the_node_has_keys()
    {
        var run = await AgainstKeyedAsync(null, "stats");

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("(unauthorized, HTTP 401)", run.Stderr);
    }

    [Fact]
    public async Task A_key_given_to_a_node_without_keys_is_served_with_a_warning_that_it_was_not_checked()
    {
        var run = await AgainstUnkeyedAsync("sb_made-up-key-for-a-node-without-keys-00", "stats", "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(JsonValueKind.Number, run.Json().GetProperty("connections").ValueKind);
        Assert.StartsWith($"sbctl: warning: {unkeyed.Server.BaseUri} has no API keys configured, so the key given was not checked",
            run.Stderr);
        Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task No_key_given_to_a_node_without_keys_is_protected_mode_as_meant_and_gets_no_warning()
    {
        var run = await AgainstUnkeyedAsync(null, "cluster", "show");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("", run.Stderr);
    }

    [Theory]
    [InlineData("/ws/stats", "none")]
    [InlineData("/ws/admin/cluster", "none")]
    [InlineData("/ws/health", null)] // open routes take no key, and say nothing of keys
    public async Task A_node_without_keys_says_so_on_every_answer_of_a_route_that_takes_a_key(string path, string? header)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "sb_anything-at-all-0123456789");
        using var unkeyedAnswer = await unkeyed.Server.Http.SendAsync(request);
        using var http = new HttpClient { BaseAddress = keyed.Node.BaseUri };
        using var keyedAnswer = await http.GetAsync(path);

        Assert.True(unkeyedAnswer.IsSuccessStatusCode, unkeyedAnswer.ToString());
        Assert.Equal(header, unkeyedAnswer.Headers.TryGetValues("Switchboard-Api-Keys", out var values) ? values.Single() : null);
        Assert.False(keyedAnswer.Headers.Contains("Switchboard-Api-Keys"));
    }
}

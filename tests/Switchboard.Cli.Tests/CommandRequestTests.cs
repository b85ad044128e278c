using System.Text.Json;
using Switchboard.Cli.Tests.Support;
using Switchboard.Contracts;

namespace Switchboard.Cli.Tests;

/// <summary>What each command asks of the node: the route (escaped where it carries a name), its query, and its body.</summary>
public sealed class CommandRequestTests : WithLoopbackNode
{
    private const string Address = "akka.tcp://switchboard@127.0.0.1:4054";

    private async Task<ReceivedRequest> OnlyRequestAsync(params string[] args)
    {
        var run = await SbctlAsync(args);
        Assert.True(run.ExitCode == 0, run.ToString());
        return Assert.Single(Node.Requests);
    }

    [Theory]
    [InlineData(new[] { "users", "show", "ann" }, "/ws/admin/users/ann")]
    [InlineData(new[] { "users", "show", "a b/c?d" }, "/ws/admin/users/a%20b%2Fc%3Fd")]
    [InlineData(new[] { "groups", "show", "room#1" }, "/ws/admin/groups/room%231")]
    [InlineData(new[] { "cluster-sharding", "region-stats", "-r", "user" }, "/ws/admin/sharding/regions/user/stats")]
    [InlineData(new[] { "cluster-sharding", "shard-stats", "-r", "a/b" }, "/ws/admin/sharding/regions/a%2Fb/shards")]
    [InlineData(new[] { "actor", "hierarchy" }, "/ws/admin/actors")]
    [InlineData(new[] { "actor", "hierarchy", "-d", "1", "-s", "/user" }, "/ws/admin/actors?depth=1&path=%2Fuser")]
    [InlineData(new[] { "stats" }, "/ws/stats")]
    [InlineData(new[] { "stats", "--cluster" }, "/ws/stats?scope=cluster")]
    [InlineData(new[] { "namespaces", "list" }, "/ws/admin/namespaces")]
    [InlineData(new[] { "namespaces", "show", "a/b" }, "/ws/admin/namespaces/a%2Fb")]
    [InlineData(new[] { "hooks" }, "/ws/admin/hooks")]
    [InlineData(new[] { "--prefix", "/hub", "cluster", "show" }, "/hub/admin/cluster")]
    public async Task A_reading_command_asks_for_its_route(string[] args, string target)
    {
        // Any answer will do: only the request is looked at here, so the command may fail to read it.
        await SbctlAsync(args);

        var request = Assert.Single(Node.Requests);
        Assert.Equal("GET", request.Method);
        Assert.Equal(target, request.Target);
    }

    [Fact]
    public async Task Connections_list_passes_its_filters_and_asks_each_page_for_what_is_still_wanted()
    {
        Node.On("GET", "/ws/admin/connections", c => c.Request.Query["after"].ToString() switch
        {
            "" => LoopbackNode.WriteJsonAsync(c, new ConnectionPage([Info("c-1"), Info("c-2")], "c-2", [])),
            _ => LoopbackNode.WriteJsonAsync(c, new ConnectionPage([Info("c-3")], "c-3", [])),
        });

        var run = await SbctlAsync("connections", "list", "--user", "ann", "--member", "127.0.0.1:4054", "--limit", "3", "--json");

        Assert.Equal(3, run.Json().GetProperty("connections").GetArrayLength());
        Assert.Equal("c-3", run.Json().GetProperty("next").GetString());
        Assert.Equal(["?user=ann&node=127.0.0.1%3A4054&limit=3", "?user=ann&node=127.0.0.1%3A4054&limit=1&after=c-2"],
            Node.Requests.Select(r => r.Query));
    }

    [Fact]
    public async Task Groups_list_without_a_limit_asks_for_no_size()
    {
        Node.Answer("GET", "/ws/admin/groups", new GroupPage([], null, []));

        Assert.Equal("", (await OnlyRequestAsync("groups", "list")).Query);
    }

    [Theory]
    [InlineData(new[] { "cluster", "leave" }, "/ws/admin/cluster/leave", """{"address":null}""")]
    [InlineData(new[] { "cluster", "leave", Address }, "/ws/admin/cluster/leave", $$"""{"address":"{{Address}}"}""")]
    [InlineData(new[] { "cluster", "down", Address }, "/ws/admin/cluster/down", $$"""{"address":"{{Address}}"}""")]
    [InlineData(new[] { "cluster", "join", Address }, "/ws/admin/cluster/join", $$"""{"address":"{{Address}}"}""")]
    [InlineData(new[] { "cluster", "down-unreachable" }, "/ws/admin/cluster/down-unreachable", "{}")]
    [InlineData(new[] { "node", "drain", Address }, "/ws/admin/nodes/drain", $$"""{"address":"{{Address}}"}""")]
    public async Task A_member_change_posts_its_member_request(string[] args, string path, string body)
    {
        Node.Answer("POST", path, new ActionResult(true, "ok"));

        var request = await OnlyRequestAsync(args);

        Assert.Equal(path, request.Path);
        Assert.StartsWith("application/json", request.ContentType);
        Assert.Equal(body, request.Body);
    }

    [Theory]
    [InlineData(new[] { "kick", "--user", "ann" }, """{"user_id":"ann","connection_id":null,"reason":null}""")]
    [InlineData(new[] { "kick", "--connection", "c-1", "--reason", "maintenance" }, """{"user_id":null,"connection_id":"c-1","reason":"maintenance"}""")]
    public async Task Kick_posts_its_kick_request(string[] args, string body)
    {
        Node.Answer("POST", "/ws/admin/kick", new KickResult(0, [], []));

        Assert.Equal(body, (await OnlyRequestAsync(args)).Body);
    }

    [Theory]
    [InlineData(new[] { "send", "--to", "ann", "--type", "chat", "--data", """{"text":"hi"}""" }, "/ws/message", """{"type":"chat","data":{"text":"hi"},"to":"ann"}""")]
    [InlineData(new[] { "send", "--group", "lobby", "-t", "notice" }, "/ws/message", """{"type":"notice","group":"lobby"}""")]
    [InlineData(new[] { "send", "--to", "ann", "--type", "n", "--data", "null" }, "/ws/message", """{"type":"n","data":null,"to":"ann"}""")]
    [InlineData(new[] { "broadcast", "--type", "x", "--data", "42" }, "/ws/broadcast", """{"type":"x","data":42}""")]
    [InlineData(new[] { "broadcast", "--type", "x", "--data", "\"hi\"" }, "/ws/broadcast", """{"type":"x","data":"hi"}""")]
    public async Task A_message_posts_a_client_frames_json(string[] args, string path, string body)
    {
        Node.On("POST", path, c => LoopbackNode.WriteJsonAsync(c, new { accepted = true }));

        var request = await OnlyRequestAsync(args);

        Assert.Equal(path, request.Path);
        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(System.Text.Json.Nodes.JsonNode.Parse(body),
            System.Text.Json.Nodes.JsonNode.Parse(request.Body)), request.Body);
    }

    [Theory]
    [InlineData(new[] { "--rate", "100-S" }, """{"rate":"100-S","per_route_rates":{},"missing_nodes":[]}""")]
    [InlineData(new[] { "--rate", "OFF" }, """{"rate":null,"per_route_rates":{},"missing_nodes":[]}""")]
    [InlineData(new[] { "--rate", "1-M", "--route", "/ws/message=10-S", "--route", "/ws/a=b=5-H" },
        """{"rate":"1-M","per_route_rates":{"/ws/message":"10-S","/ws/a":"b=5-H"},"missing_nodes":[]}""")]
    public async Task Ratelimit_set_puts_the_rates(string[] options, string body)
    {
        Node.Answer("PUT", "/ws/admin/ratelimit", new RateLimitView("1-M", new Dictionary<string, string>()));

        var request = await OnlyRequestAsync(["ratelimit", "set", .. options]);

        Assert.Equal("PUT", request.Method);
        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(System.Text.Json.Nodes.JsonNode.Parse(body),
            System.Text.Json.Nodes.JsonNode.Parse(request.Body)), request.Body);
    }

    [Fact]
    public async Task The_key_from_the_environment_goes_with_every_request()
    {
        Node.Answer("GET", "/ws/admin/sharding/regions", new RegionsView([]));

        var run = await InProcessSbctl.RunAsync(["cluster-sharding", "regions"],
            new Dictionary<string, string> { ["SBCTL_NODE"] = Node.Url.ToString(), ["SBCTL_KEY"] = "env-key" });

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("Bearer env-key", Assert.Single(Node.Requests).Authorization);
    }

    private static ConnectionInfo Info(string id) =>
        new(id, "ann", "n1", null, DateTimeOffset.UnixEpoch, [], 0, 0, 0);
}

using Switchboard.Cli.Tests.Support;
using Switchboard.Contracts;

namespace Switchboard.Cli.Tests;

/// <summary>What AdminClient puts on the wire: the route under the prefix, the key, and JSON for every change.</summary>
public sealed class AdminClientRequestTests : WithLoopbackNode
{
    private AdminClient Client(string? key = null, string prefix = "/ws") => new(new NodeTarget(Node.Url, prefix, key, false));

    [Fact]
    public async Task The_key_is_sent_as_a_bearer_token()
    {
        Node.Answer("GET", "/ws/admin/sharding/regions", new RegionsView(["user"]));
        using var client = Client("secret-key");

        await client.GetAsync<RegionsView>(AdminRoutes.Regions, CancellationToken.None);

        Assert.Equal("Bearer secret-key", Assert.Single(Node.Requests).Authorization);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]   // SBCTL_KEY= (set, but empty)
    public async Task Without_a_key_no_authorization_is_sent(string? key)
    {
        Node.Answer("GET", "/ws/admin/sharding/regions", new RegionsView([]));
        using var client = Client(key);

        await client.GetAsync<RegionsView>(AdminRoutes.Regions, CancellationToken.None);

        Assert.Null(Assert.Single(Node.Requests).Authorization);
    }

    [Fact]
    public async Task A_get_carries_its_query_and_no_body()
    {
        Node.Answer("GET", "/ws/admin/actors", new ActorNode("/user", []));
        using var client = Client();

        var root = await client.GetAsync<ActorNode>(AdminRoutes.Actors, CancellationToken.None, ("depth", "2"), ("path", null));

        Assert.Equal(new ActorNode("/user", []).Path, root.Path);
        var request = Assert.Single(Node.Requests);
        Assert.Equal("?depth=2", request.Query);
        Assert.Null(request.ContentType);
        Assert.Equal("", request.Body);
    }

    [Fact]
    public async Task A_change_without_a_body_sends_an_empty_json_object()
    {
        Node.Answer("POST", "/ws/admin/cluster/down-unreachable", new ActionResult(true, "none unreachable"));
        using var client = Client();

        await client.PostAsync<ActionResult>(AdminRoutes.ClusterDownUnreachable, null, CancellationToken.None);

        var request = Assert.Single(Node.Requests);
        Assert.StartsWith("application/json", request.ContentType);
        Assert.Equal("{}", request.Body);
    }

    [Fact]
    public async Task A_change_sends_its_record_as_snake_case_json_and_reads_the_answer()
    {
        Node.Answer("PUT", "/ws/admin/ratelimit", new RateLimitView("10-S", new Dictionary<string, string> { ["/ws/message"] = "1-S" }));
        using var client = Client();

        var view = await client.PutAsync<RateLimitView>(AdminRoutes.RateLimit,
            new RateLimitView(null, new Dictionary<string, string> { ["/ws/Message"] = "5-M" }), CancellationToken.None);

        Assert.Equal("10-S", view.Rate);
        Assert.Equal("1-S", view.PerRouteRates["/ws/message"]);
        var request = Assert.Single(Node.Requests);
        Assert.Equal("PUT", request.Method);
        Assert.StartsWith("application/json", request.ContentType);
        // Route keys are paths, kept as they are: the dictionary's keys are not snake-cased.
        Assert.Equal("""{"rate":null,"per_route_rates":{"/ws/Message":"5-M"},"missing_nodes":[]}""", request.Body);
    }

    [Theory]
    [InlineData("/hub", "/hub/admin/cluster")]
    [InlineData("/", "/admin/cluster")]
    public async Task The_route_is_asked_under_the_prefix(string prefix, string path)
    {
        Node.Answer("GET", path, new ClusterView("self", null, []));
        using var client = Client(prefix: prefix);

        var view = await client.GetAsync<ClusterView>(AdminRoutes.Cluster, CancellationToken.None);

        Assert.Equal("self", view.Self);
        Assert.Equal(path, Assert.Single(Node.Requests).Path);
    }
}

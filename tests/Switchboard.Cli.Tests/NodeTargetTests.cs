namespace Switchboard.Cli.Tests;

/// <summary>Where a route of the admin API is, given --node and --prefix.</summary>
public sealed class NodeTargetTests
{
    private static NodeTarget Target(string node = "http://127.0.0.1:8081", string prefix = "/ws") => new(new Uri(node), prefix, null, false);

    [Theory]
    [InlineData("/ws")]
    [InlineData("ws")]
    [InlineData("ws/")]
    [InlineData("/ws/")]
    [InlineData("//ws//")]
    public void Every_spelling_of_the_prefix_puts_the_route_under_it(string prefix) =>
        Assert.Equal("http://127.0.0.1:8081/ws/admin/cluster", Target(prefix: prefix).Resolve("/admin/cluster").ToString());

    [Theory]
    [InlineData("/")]
    [InlineData("")]
    public void An_empty_prefix_puts_the_route_at_the_root(string prefix) =>
        Assert.Equal("http://127.0.0.1:8081/stats", Target(prefix: prefix).Resolve("/stats").ToString());

    [Fact]
    public void A_prefix_of_several_segments_is_kept_whole() =>
        Assert.Equal("http://127.0.0.1:8081/hub/v2/admin/top", Target(prefix: "/hub/v2/").Resolve("/admin/top").ToString());

    [Theory]
    [InlineData("http://127.0.0.1:8081")]
    [InlineData("http://127.0.0.1:8081/")]
    public void The_node_with_or_without_a_trailing_slash_is_the_same_node(string node) =>
        Assert.Equal("http://127.0.0.1:8081/ws/stats", Target(node).Resolve("/stats").ToString());

    [Fact]
    public void An_https_node_keeps_its_scheme_and_port() =>
        Assert.Equal("https://hub.example:9443/ws/stats", Target("https://hub.example:9443").Resolve("/stats").ToString());

    [Fact]
    public void Query_values_that_are_null_are_left_out()
    {
        var uri = Target().Resolve("/admin/connections", [new("user", "ann"), new("node", null), new("limit", "5"), new("after", null)]);

        Assert.Equal("?user=ann&limit=5", uri.Query);
    }

    [Fact]
    public void A_query_of_only_nulls_adds_no_question_mark()
    {
        var uri = Target().Resolve("/stats", [new("scope", null)]);

        Assert.Equal("", uri.Query);
        Assert.Equal("http://127.0.0.1:8081/ws/stats", uri.ToString());
    }

    [Theory]
    [InlineData("a b", "a%20b")]
    [InlineData("a&b=c", "a%26b%3Dc")]
    [InlineData("x/y?z#w", "x%2Fy%3Fz%23w")]
    [InlineData("zoë", "zo%C3%AB")]
    [InlineData("akka.tcp://sb@10.0.0.1:4053", "akka.tcp%3A%2F%2Fsb%4010.0.0.1%3A4053")]
    public void Query_values_are_escaped_so_that_each_stays_one_value(string value, string escaped)
    {
        var uri = Target().Resolve("/admin/connections", [new("user", value)]);

        Assert.Equal("?user=" + escaped, uri.Query);
    }

    [Fact]
    public void Query_names_are_escaped_too() =>
        Assert.Equal("?a%20b=1", Target().Resolve("/x", [new("a b", "1")]).Query);
}

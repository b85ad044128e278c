using Switchboard.Cli.Tests.Support;

namespace Switchboard.Cli.Tests;

/// <summary>Which node, prefix and key a command line names: the option, else SBCTL_NODE / SBCTL_KEY, else the defaults.</summary>
public sealed class GlobalOptionsTests
{
    private static NodeTarget Resolve(string[] args, Dictionary<string, string>? environment = null)
    {
        var console = InProcessSbctl.NewConsole();
        var commandLine = new SbctlCommandLine(new Session(false, console), console, TextWriter.Null, TextWriter.Null,
            environment: name => environment?.GetValueOrDefault(name));
        var parse = commandLine.Root.Parse(args);
        Assert.Empty(parse.Errors);
        return commandLine.Globals.Resolve(parse);
    }

    [Fact]
    public void With_no_option_and_no_variable_the_defaults_apply()
    {
        var target = Resolve(["stats"]);

        Assert.Equal(new Uri(NodeTarget.DefaultNode), target.Node);
        Assert.Equal("/ws", target.Prefix);
        Assert.Null(target.Key);
        Assert.False(target.Json);
    }

    [Fact]
    public void The_variables_apply_when_no_option_is_given()
    {
        var target = Resolve(["stats"], new() { ["SBCTL_NODE"] = "http://10.1.1.1:9000", ["SBCTL_KEY"] = "from-env" });

        Assert.Equal(new Uri("http://10.1.1.1:9000"), target.Node);
        Assert.Equal("from-env", target.Key);
    }

    [Theory]
    [InlineData("--node", "http://10.2.2.2:9000", "--key", "from-option", "stats")]
    [InlineData("stats", "--node", "http://10.2.2.2:9000", "--key", "from-option")]
    [InlineData("cluster", "--key", "from-option", "show", "--node", "http://10.2.2.2:9000")]
    public void An_option_wins_over_its_variable_wherever_it_stands_on_the_line(params string[] args)
    {
        var target = Resolve(args, new() { ["SBCTL_NODE"] = "http://10.1.1.1:9000", ["SBCTL_KEY"] = "from-env" });

        Assert.Equal(new Uri("http://10.2.2.2:9000"), target.Node);
        Assert.Equal("from-option", target.Key);
    }

    [Fact]
    public void An_empty_SBCTL_NODE_is_as_if_it_were_not_set() =>
        Assert.Equal(new Uri(NodeTarget.DefaultNode), Resolve(["stats"], new() { ["SBCTL_NODE"] = "" }).Node);

    [Fact]
    public void Prefix_and_json_are_taken_from_the_line()
    {
        var target = Resolve(["--prefix", "/hub", "stats", "--json"]);

        Assert.Equal("/hub", target.Prefix);
        Assert.True(target.Json);
    }

    [Fact]
    public void An_https_node_is_accepted() =>
        Assert.Equal("https", Resolve(["--node", "https://hub.example:9443", "stats"]).Node.Scheme);

    [Theory]
    [InlineData("not a url")]
    [InlineData("127.0.0.1:8080")]
    [InlineData("ftp://127.0.0.1")]
    [InlineData("ws://127.0.0.1:8080")]
    [InlineData("/relative/path")]
    public void A_node_that_is_not_an_absolute_http_address_is_a_usage_error_naming_it(string node)
    {
        var error = Assert.Throws<UsageException>(() => Resolve(["--node", node, "stats"]));

        Assert.Contains($"\"{node}\"", error.Message);
    }

    [Fact]
    public void A_malformed_SBCTL_NODE_is_a_usage_error_too()
    {
        var error = Assert.Throws<UsageException>(() => Resolve(["stats"], new() { ["SBCTL_NODE"] = "localhost" }));

        Assert.Contains("\"localhost\"", error.Message);
    }
}

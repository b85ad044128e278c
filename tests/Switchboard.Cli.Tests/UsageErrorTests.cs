using Switchboard.Cli.Tests.Support;

namespace Switchboard.Cli.Tests;

/// <summary>
/// A wrong command line exits 2 with the reason on stderr, writes nothing on stdout, and sends nothing to the node:
/// the checks sbctl makes itself happen before any request. (Integration tests run other such lines with the real tool.)
/// </summary>
public sealed class UsageErrorTests : WithLoopbackNode
{
    [Theory]
    [InlineData("cluster", "down")]                                   // ADDRESS is required
    [InlineData("cluster", "join")]
    [InlineData("cluster", "show", "extra")]
    [InlineData("node", "drain")]
    [InlineData("users", "show")]
    [InlineData("groups", "show")]
    [InlineData("namespaces", "show")]
    [InlineData("groups", "list", "--limit", "-1")]
    [InlineData("connections", "list", "--limit", "many")]           // not a number: once crashed the validator
    [InlineData("groups", "list", "--limit", "2x")]
    [InlineData("actor", "hierarchy", "--depth", "-1")]              // checked by the command itself
    [InlineData("actor", "hierarchy", "--depth", "deep")]
    [InlineData("broadcast")]                                         // --type is required
    [InlineData("broadcast", "--type", "x", "--data", "nope")]        // not JSON: 2, not the node's invalid_json
    [InlineData("send", "--group", "g", "--type", "x", "--data", "{\"a\":")]
    [InlineData("ratelimit", "set")]                                  // --rate is required
    [InlineData("ratelimit", "set", "--rate", "1-S", "--route", "=1-S")]
    [InlineData("ratelimit", "set", "--rate", "1-S", "--route", "/a=")]
    [InlineData("ratelimit", "set", "--rate", "1-S", "--route", "/a=1-S", "--route", "/a=2-M")] // once crashed
    [InlineData("kick", "--user", "ann", "--connection", "c-1")]      // both
    [InlineData("stats", "--no-such-option")]
    [InlineData("stats", "--prefix")]                                 // a value is missing
    public async Task A_usage_error_exits_2_and_reaches_no_node(params string[] args)
    {
        var run = await SbctlAsync(args);

        Assert.True(run.ExitCode == ExitCodes.Usage, run.ToString());
        Assert.StartsWith("sbctl: ", run.Stderr);
        Assert.True(run.NothingOnStdout, run.ToString());
        Assert.Empty(Node.Requests);
    }

    [Theory]
    [InlineData("ftp://127.0.0.1", "stats")]
    [InlineData("127.0.0.1:8080", "cluster", "show")]
    public async Task A_node_that_is_not_an_http_address_exits_2_naming_it(string node, params string[] command)
    {
        var run = await InProcessSbctl.RunAsync(["--node", node, .. command]);

        Assert.True(run.ExitCode == ExitCodes.Usage, run.ToString());
        Assert.Equal($"sbctl: --node needs an absolute http:// or https:// address, not \"{node}\"{Environment.NewLine}", run.Stderr);
    }

    [Theory]
    [InlineData(new[] { "cluster", "down" }, "see: sbctl cluster down --help")]
    [InlineData(new[] { "cluster-sharding", "region-stats" }, "see: sbctl cluster-sharding region-stats --help")]
    [InlineData(new[] { "no-such-command" }, "see: sbctl --help")]
    [InlineData(new[] { "cluster" }, "see: sbctl cluster --help")]
    public async Task A_parse_error_points_at_the_commands_help(string[] args, string see)
    {
        var run = await SbctlAsync(args);

        Assert.Equal(see, run.Stderr.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries)[^1]);
    }

    [Fact]
    public async Task Each_parse_error_is_its_own_line()
    {
        var run = await SbctlAsync("kick", "--user", "ann", "--connection", "c-1", "--bogus");

        var lines = run.Stderr.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.StartsWith("sbctl: ") && l.Contains("--bogus"));
        Assert.Contains("sbctl: kick needs exactly one of --user and --connection", lines);
    }

    [Theory]
    [InlineData("kick", "--help")]
    [InlineData("ratelimit", "set", "-h")]
    [InlineData("cluster-sharding", "region-stats", "--help")]
    public async Task Help_exits_0_even_where_a_required_value_is_missing(params string[] args)
    {
        var run = await SbctlAsync(args);

        Assert.True(run.ExitCode == ExitCodes.Done, run.ToString());
        Assert.Contains("Usage:", run.Stdout);
        Assert.Equal("", run.Stderr);
        Assert.Empty(Node.Requests);
    }
}

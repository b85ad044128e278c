using Switchboard.Cli.Tests.Support;

namespace Switchboard.Cli.Tests;

/// <summary>A line with only global options opens the interactive prompt, bound to the node they name.</summary>
public sealed class NoCommandTests
{
    private static async Task<(int Exit, NodeTarget? Opened, string Stderr)> RunAsync(params string[] args)
    {
        var console = InProcessSbctl.NewConsole();
        var stderr = new StringWriter();
        NodeTarget? opened = null;
        var commandLine = new SbctlCommandLine(new Session(false, console), console, TextWriter.Null, stderr,
            noCommand: (target, _) =>
            {
                opened = target;
                return Task.FromResult(ExitCodes.Done);
            },
            environment: _ => null);
        var exit = await commandLine.RunAsync(args, CancellationToken.None);
        return (exit, opened, stderr.ToString());
    }

    [Fact]
    public async Task The_prompt_opens_on_the_node_key_and_prefix_given()
    {
        var (exit, opened, _) = await RunAsync("--node", "http://127.0.0.1:8081", "--key", "k", "--prefix", "/hub");

        Assert.Equal(ExitCodes.Done, exit);
        Assert.Equal(new NodeTarget(new Uri("http://127.0.0.1:8081"), "/hub", "k", false), opened);
    }

    [Fact]
    public async Task A_malformed_node_is_a_usage_error_and_no_prompt_opens()
    {
        var (exit, opened, stderr) = await RunAsync("--node", "nowhere");

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Null(opened);
        Assert.StartsWith("sbctl: --node needs", stderr);
    }
}

using Spectre.Console.Testing;
using Switchboard.Cli.Tests.Support;
using Switchboard.Contracts;

namespace Switchboard.Cli.Tests;

/// <summary>
/// In the interactive prompt every change asks first, and what the operator answers decides whether anything reaches
/// the node. (The prompt in a real terminal, and piped lines, are the integration tests'.)
/// </summary>
public sealed class PromptConfirmationTests : WithLoopbackNode
{
    private const string Address = "akka.tcp://switchboard@127.0.0.1:4054";

    public static TheoryData<string[], string, string> Changes => new()
    {
        { ["cluster", "leave", Address], "/ws/admin/cluster/leave", $"leave {Address}?" },
        { ["cluster", "leave"], "/ws/admin/cluster/leave", "leave this node?" },
        { ["cluster", "down", Address], "/ws/admin/cluster/down", $"down {Address}?" },
        { ["cluster", "join", Address], "/ws/admin/cluster/join", $"join {Address}?" },
        { ["cluster", "down-unreachable"], "/ws/admin/cluster/down-unreachable", "down every unreachable member?" },
        { ["node", "drain", Address], "/ws/admin/nodes/drain", $"drain {Address}?" },
        { ["kick", "--user", "ann"], "/ws/admin/kick", "close every connection of ann?" },
        { ["kick", "--connection", "c-1"], "/ws/admin/kick", "close connection c-1?" },
        { ["ratelimit", "set", "--rate", "5-S"], "/ws/admin/ratelimit", "set the rate to 5-S?" },
        { ["ratelimit", "set", "--rate", "off"], "/ws/admin/ratelimit", "set the rate to unlimited?" },
    };

    private Task<SbctlRun> AnswerAsync(string[] change, string answer)
    {
        var console = InProcessSbctl.NewConsole().Interactive();
        console.Input.PushTextWithEnter(answer);
        return InProcessSbctl.RunAsync(Against(change), console: console, interactive: true);
    }

    [Theory]
    [MemberData(nameof(Changes))]
    public async Task No_leaves_the_change_undone_and_exits_0(string[] change, string path, string question)
    {
        var run = await AnswerAsync(change, "n");

        Assert.True(run.ExitCode == ExitCodes.Done, run.ToString());
        Assert.StartsWith(question, run.Rendered);
        Assert.DoesNotContain(Node.Requests, r => r.Path == path);
        Assert.Empty(Node.Requests);
    }

    [Theory]
    [MemberData(nameof(Changes))]
    public async Task Yes_sends_the_change(string[] change, string path, string question)
    {
        Node.Answer("POST", path, new ActionResult(true, "done"));
        Node.Answer("PUT", path, new RateLimitView(null, new Dictionary<string, string>()));
        Node.Answer("POST", "/ws/admin/kick", new KickResult(1, [], []));

        var run = await AnswerAsync(change, "y");

        Assert.True(run.ExitCode == ExitCodes.Done, run.ToString());
        Assert.StartsWith(question, run.Rendered);
        Assert.Equal(path, Assert.Single(Node.Requests).Path);
    }

    [Fact]
    public async Task With_yes_on_the_line_nothing_is_asked()
    {
        Node.Answer("POST", "/ws/admin/nodes/drain", new ActionResult(true, "draining"));

        var run = await AnswerAsync(["node", "drain", Address, "-y"], "n");

        Assert.Equal("draining\n", run.Rendered);
        Assert.Single(Node.Requests);
    }

    [Fact]
    public async Task Piped_lines_refuse_a_change_without_yes_as_a_usage_error()
    {
        var run = await InProcessSbctl.RunAsync(Against("cluster", "down", Address), interactive: true);

        Assert.True(run.ExitCode == ExitCodes.Usage, run.ToString());
        Assert.Equal($"sbctl: down {Address}: asks for confirmation, and input is not a terminal; add --yes{Environment.NewLine}", run.Stderr);
        Assert.Empty(Node.Requests);
    }

    [Fact]
    public async Task A_reading_command_never_asks()
    {
        Node.Answer("GET", "/ws/admin/sharding/regions", new RegionsView(["user"]));

        var run = await InProcessSbctl.RunAsync(Against("cluster-sharding", "regions"), interactive: true);

        Assert.Equal("user\n", run.Rendered);
    }
}

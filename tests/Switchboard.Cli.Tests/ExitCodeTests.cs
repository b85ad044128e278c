using Switchboard.Cli.Tests.Support;
using Switchboard.Contracts;

namespace Switchboard.Cli.Tests;

/// <summary>
/// The exit status a script relies on, for every way a command ends: 0 done, 1 refused or unreachable, 2 usage; and
/// in each case stdout carries the answer or nothing, stderr the reason.
/// </summary>
public sealed class ExitCodeTests : WithLoopbackNode
{
    private const string Self = "akka.tcp://switchboard@127.0.0.1:4053";

    [Fact]
    public async Task An_answer_exits_0_with_nothing_on_stderr()
    {
        Node.Answer("GET", "/ws/admin/sharding/regions", new RegionsView(["user", "group"]));

        var run = await SbctlAsync("cluster-sharding", "regions");

        Assert.True(run.ExitCode == ExitCodes.Done, run.ToString());
        Assert.Equal("", run.Stderr);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_refusal_exits_1_with_the_nodes_words_on_stderr_and_nothing_on_stdout(bool json)
    {
        Node.Refuse("GET", "/ws/admin/users/ann", 403, "forbidden", "the key lacks the admin scope");

        var run = await SbctlAsync(["users", "show", "ann", .. json ? new[] { "--json" } : []]);

        Assert.True(run.ExitCode == ExitCodes.Refused, run.ToString());
        Assert.Equal($"sbctl: the key lacks the admin scope (forbidden, HTTP 403){Environment.NewLine}", run.Stderr);
        Assert.True(run.NothingOnStdout, run.ToString());
    }

    [Fact]
    public async Task A_change_the_node_did_not_carry_out_exits_1_with_its_message_on_stderr()
    {
        Node.Answer("POST", "/ws/admin/cluster/down", new ActionResult(false, "akka.tcp://switchboard@10.9.9.9:4053 is not a member"));

        var run = await SbctlAsync("cluster", "down", "akka.tcp://switchboard@10.9.9.9:4053");

        Assert.True(run.ExitCode == ExitCodes.Refused, run.ToString());
        Assert.Equal($"sbctl: akka.tcp://switchboard@10.9.9.9:4053 is not a member{Environment.NewLine}", run.Stderr);
    }

    [Fact]
    public async Task A_node_whose_answer_lacks_itself_exits_1()
    {
        Node.Answer("GET", "/ws/admin/cluster", new ClusterView(Self, null, []));

        var run = await SbctlAsync("cluster", "status");

        Assert.True(run.ExitCode == ExitCodes.Refused, run.ToString());
        Assert.Equal($"sbctl: {Self} is not among the members it reports{Environment.NewLine}", run.Stderr);
    }

    [Fact]
    public async Task A_gathered_answer_with_silent_nodes_still_exits_0_and_names_them_on_stderr()
    {
        Node.Answer("GET", "/ws/admin/sharding/regions/user/stats", new RegionStatsView("user", [new NodeRegionStats("n1", 2, 5)], ["n2:4054"]));

        var run = await SbctlAsync("cluster-sharding", "region-stats", "-r", "user");

        Assert.True(run.ExitCode == ExitCodes.Done, run.ToString());
        Assert.Equal($"sbctl: no answer in time from n2:4054{Environment.NewLine}", run.Stderr);
    }

    [Fact]
    public async Task A_stream_the_node_ends_exits_0()
    {
        Node.On("GET", "/ws/admin/cluster/events", c => LoopbackNode.WriteEventsAsync(c));

        var run = await SbctlAsync("cluster", "tail", "--json");

        Assert.True(run.ExitCode == ExitCodes.Done, run.ToString());
        Assert.Equal("", run.Stdout);
    }

    [Fact]
    public async Task A_stream_stopped_by_ctrl_c_exits_0()
    {
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Node.On("GET", "/ws/admin/top", async c =>
        {
            await LoopbackNode.WriteEventsAsync(c);
            arrived.SetResult();
            await Task.Delay(Timeout.Infinite, c.RequestAborted);
        });
        using var interrupt = new CancellationTokenSource();

        var running = InProcessSbctl.RunAsync(Against("top", "--json"), cancel: interrupt.Token);
        await arrived.Task;
        await interrupt.CancelAsync();
        var run = await running;

        Assert.True(run.ExitCode == ExitCodes.Done, run.ToString());
        Assert.Equal("", run.Stderr);
    }

    [Fact]
    public async Task A_stream_refused_exits_1()
    {
        Node.Refuse("GET", "/ws/admin/top", 401, "unauthorized", "an API key is required");

        var run = await SbctlAsync("top");

        Assert.True(run.ExitCode == ExitCodes.Refused, run.ToString());
        Assert.Equal($"sbctl: an API key is required (unauthorized, HTTP 401){Environment.NewLine}", run.Stderr);
        Assert.True(run.NothingOnStdout, run.ToString());
    }

    [Fact]
    public async Task An_answer_that_is_not_json_exits_1()
    {
        Node.On("GET", "/ws/stats", c => Microsoft.AspNetCore.Http.HttpResponseWritingExtensions.WriteAsync(c.Response, "<html>"));

        var run = await SbctlAsync("stats");

        Assert.True(run.ExitCode == ExitCodes.Refused, run.ToString());
        Assert.Contains("is not the expected JSON", run.Stderr);
    }
}

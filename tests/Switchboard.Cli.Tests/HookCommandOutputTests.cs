using Switchboard.Cli.Commands;
using Switchboard.Cli.Tests.Support;
using Switchboard.Contracts;

namespace Switchboard.Cli.Tests;

/// <summary><c>hooks</c>: a row per node and configured hook, then each hook over the cluster; nothing to draw without hooks.</summary>
public sealed class HookCommandOutputTests : WithLoopbackNode
{
    private static readonly string[] Names = ["connect", "refresh", "join", "publish", "rpc"];

    private static HookView Off(string hook) => new(hook, false, null, 0, null, null, 0, 0, 0, 0, 0, 0);

    private static NodeHooks Hooked(string node, params HookView[] configured) =>
        new(node, Names.Select(n => configured.FirstOrDefault(h => h.Hook == n) ?? Off(n)).ToList());

    private static readonly HookView Rpc1 = new("rpc", true, "backend:8080", 12.5, 3.2, 48, 1000, 900, 60, 20, 15, 5);
    private static readonly HookView Rpc2 = new("rpc", true, "backend:8080", 2.5, 1.5, 9.5, 40, 40, 0, 0, 0, 0);
    private static readonly HookView Join1 = new("join", true, "code", 0, null, null, 0, 0, 0, 0, 0, 0);

    private static readonly HooksView TwoNodes = new(
        [Hooked("n1:1", Rpc1, Join1), Hooked("n2:2", Rpc2)],
        [
            Off("connect"), Off("refresh"), Join1,
            Off("publish"), new HookView("rpc", true, "backend:8080", 15, 3, 1500, 1040, 940, 60, 20, 15, 5),
        ],
        []);

    private static string[] Row(SbctlRun run, string first, string second) =>
        TableRow.Cells(Assert.Single(run.Rendered.Split('\n'), l => TableRow.Cells(l) is [var a, var b, ..] && a == first && b == second));

    [Fact]
    public async Task Draws_each_node_s_configured_hooks_and_each_hook_over_the_cluster()
    {
        Node.Answer("GET", "/ws/admin/hooks", TwoNodes);

        var run = await SbctlAsync("hooks");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(["n1:1", "rpc", "backend:8080", "12.5", "3.2 ms", "48 ms", "1000", "60", "40"], Row(run, "n1:1", "rpc"));
        Assert.Equal(["n1:1", "join", "code", "0.0", "-", "-", "0", "0", "0"], Row(run, "n1:1", "join"));
        Assert.Equal(["n2:2", "rpc", "backend:8080", "2.5", "1.5 ms", "9.5 ms", "40", "0", "0"], Row(run, "n2:2", "rpc"));
        Assert.Equal(["n2:2", "join", HookCommands.Off], Row(run, "n2:2", "join"));
        Assert.Equal(["rpc", "2 of 2", "15.0", "3 ms", "1.5 s", "1040", "60", "20", "15", "5"], Row(run, "rpc", "2 of 2"));
        Assert.Equal(["join", "1 of 2", "0.0", "-", "-", "0", "0", "0", "0", "0"], Row(run, "join", "1 of 2"));
        Assert.Contains("not configured on any node: connect, refresh, publish", run.Rendered);
        Assert.DoesNotContain(run.Rendered.Split('\n'), l => TableRow.Cells(l) is [_, "connect", ..]);
    }

    [Fact]
    public async Task Says_so_when_no_node_has_a_hook()
    {
        Node.Answer("GET", "/ws/admin/hooks", new HooksView([Hooked("n1:1"), Hooked("n2:2")], Names.Select(Off).ToList(), ["n3:3"]));

        var run = await SbctlAsync("hooks");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("no hook is configured on any of 2 nodes", run.Rendered);
        Assert.DoesNotContain("│", run.Rendered);
        Assert.Contains("no answer in time from n3:3", run.Stderr);
    }

    [Fact]
    public async Task Json_is_the_nodes_view_with_the_failures_summed()
    {
        Node.Answer("GET", "/ws/admin/hooks", TwoNodes);

        var run = await SbctlAsync("hooks", "--json");

        JsonAssert.SameAs(TwoNodes, run.Stdout);
        Assert.Equal("", run.Rendered);
        var rpc = run.Json().GetProperty("nodes")[0].GetProperty("hooks")[4];
        Assert.Equal(40, rpc.GetProperty("failures").GetInt64());
        Assert.Equal("backend:8080", rpc.GetProperty("transport").GetString());
    }
}

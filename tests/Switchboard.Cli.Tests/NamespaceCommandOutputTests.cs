using Switchboard.Cli.Commands;
using Switchboard.Cli.Tests.Support;
using Switchboard.Contracts;

namespace Switchboard.Cli.Tests;

/// <summary><c>namespaces list</c> and <c>show</c>: a row per namespace, and the nodes that disagree marked.</summary>
public sealed class NamespaceCommandOutputTests : WithLoopbackNode
{
    private static readonly NamespaceOptions Defaults = new(null, null, false, false, "anyone", false, false, 0);
    private static readonly NamespaceOptions Chat = new(100, 90.5, true, true, "members", true, false, 500);

    private static NodeNamespaces Loaded(string node, string fingerprint, params (string Name, NamespaceOptions Options)[] namespaces) =>
        new(node, fingerprint, false, Defaults, namespaces.ToDictionary(n => n.Name, n => n.Options));

    private static string[] Row(SbctlRun run, string first, string second) =>
        TableRow.Cells(Assert.Single(run.Rendered.Split('\n'), l => TableRow.Cells(l) is [var a, var b, ..] && a == first && b == second));

    [Fact]
    public async Task List_draws_each_namespace_once_with_its_options_when_the_nodes_agree()
    {
        var view = new NamespacesView([Loaded("n1:1", "aaaa11112222", ("chat", Chat)), Loaded("n2:2", "aaaa11112222", ("chat", Chat))], true, []);
        Node.Answer("GET", "/ws/admin/namespaces", view);

        var run = await SbctlAsync("namespaces", "list");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(["chat", "all", "100", "90.5s", "yes", "yes", "members", "yes", "no", "500"], Row(run, "chat", "all"));
        Assert.Equal([NamespaceCommands.DefaultRow, "all", "global", "global", "no", "no", "anyone", "no", "no", "no bound"],
            Row(run, NamespaceCommands.DefaultRow, "all"));
        Assert.Equal(["n1:1", "aaaa11112222", "no", "1"], Row(run, "n1:1", "aaaa11112222"));
        Assert.Contains("every node has fingerprint aaaa11112222 (2 nodes)", run.Rendered);
        Assert.DoesNotContain(NamespaceCommands.Differs, run.Rendered);
    }

    [Fact]
    public async Task List_marks_the_node_that_differs_from_the_others_and_each_variant_of_a_namespace()
    {
        var view = new NamespacesView(
        [
            Loaded("n1:1", "aaaa11112222", ("chat", Chat)),
            Loaded("n2:2", "aaaa11112222", ("chat", Chat)),
            Loaded("n3:3", "bbbb33334444", ("chat", Chat with { MaxMembers = 10 }), ("news", Defaults with { ClientPublish = "none" })),
        ], false, []);
        Node.Answer("GET", "/ws/admin/namespaces", view);

        var run = await SbctlAsync("namespaces", "list");

        Assert.Equal(["n3:3", "bbbb33334444", "no", "2", NamespaceCommands.Differs], Row(run, "n3:3", "bbbb33334444"));
        Assert.Equal(["n1:1", "aaaa11112222", "no", "1"], Row(run, "n1:1", "aaaa11112222"));
        Assert.Equal(NamespaceCommands.Differs, Row(run, "chat", "n1:1, n2:2")[^1]);
        Assert.Equal(["chat", "n3:3", "100", "90.5s", "yes", "yes", "members", "yes", "no", "10", NamespaceCommands.Differs],
            Row(run, "chat", "n3:3"));
        Assert.Equal(["news", "n1:1, n2:2", "not configured", NamespaceCommands.Differs], Row(run, "news", "n1:1, n2:2"));
        Assert.Equal("none", Row(run, "news", "n3:3")[6]);
        Assert.Contains("nodes disagree: 2 fingerprints among 3 nodes", run.Rendered);
    }

    [Fact]
    public async Task List_marks_both_of_two_nodes_that_differ_since_neither_is_the_clusters()
    {
        var view = new NamespacesView([Loaded("n1:1", "aaaa11112222"), Loaded("n2:2", "bbbb33334444", ("chat", Chat))], false, ["n3:3"]);
        Node.Answer("GET", "/ws/admin/namespaces", view);

        var run = await SbctlAsync("namespaces", "list");

        Assert.Equal(NamespaceCommands.Differs, Row(run, "n1:1", "aaaa11112222")[^1]);
        Assert.Equal(NamespaceCommands.Differs, Row(run, "n2:2", "bbbb33334444")[^1]);
        Assert.Contains("no answer in time from n3:3", run.Stderr);
    }

    [Fact]
    public async Task List_json_is_the_nodes_view()
    {
        var view = new NamespacesView([Loaded("n1:1", "aaaa11112222", ("chat", Chat))], true, []);
        Node.Answer("GET", "/ws/admin/namespaces", view);

        var run = await SbctlAsync("namespaces", "list", "--json");

        JsonAssert.SameAs(view, run.Stdout);
        Assert.Equal("", run.Rendered);
    }

    [Fact]
    public async Task Show_draws_the_namespace_on_each_node_and_says_what_a_node_without_it_does()
    {
        var view = new NamespaceView("chat",
        [
            new NodeNamespace("n1:1", "aaaa11112222", false, Chat),
            new NodeNamespace("n2:2", "aaaa11112222", false, Chat),
            new NodeNamespace("n3:3", "bbbb33334444", true, null),
            new NodeNamespace("n4:4", "cccc55556666", false, null),
            new NodeNamespace("n5:5", "aaaa11112222", false, Chat),
        ], false, []);
        Node.Answer("GET", "/ws/admin/namespaces/chat", view);

        var run = await SbctlAsync("namespaces", "show", "chat");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(["n1:1", "aaaa11112222", "100", "90.5s", "yes", "yes", "members", "yes", "no", "500"], Row(run, "n1:1", "aaaa11112222"));
        Assert.Equal(["n3:3", "bbbb33334444", "not configured: refused (strict)", NamespaceCommands.Differs], Row(run, "n3:3", "bbbb33334444"));
        Assert.Equal(["n4:4", "cccc55556666", "not configured: default rules", NamespaceCommands.Differs], Row(run, "n4:4", "cccc55556666"));
        Assert.Contains("nodes disagree on chat", run.Rendered);
    }

    [Fact]
    public async Task Show_of_a_namespace_no_node_configures_exits_1_with_the_nodes_message()
    {
        Node.Refuse("GET", "/ws/admin/namespaces/nope", 404, "unknown_namespace", "no node configures the namespace \"nope\"");

        var run = await SbctlAsync("namespaces", "show", "nope");

        Assert.True(run.ExitCode == ExitCodes.Refused, run.ToString());
        Assert.Contains("no node configures the namespace \"nope\"", run.Stderr);
        Assert.True(run.NothingOnStdout, run.ToString());
    }
}

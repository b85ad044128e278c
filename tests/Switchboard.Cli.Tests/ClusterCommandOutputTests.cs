using Switchboard.Cli.Tests.Support;
using Switchboard.Contracts;

namespace Switchboard.Cli.Tests;

/// <summary>The cluster palette's answers, drawn for a person and written as JSON.</summary>
public sealed class ClusterCommandOutputTests : WithLoopbackNode
{
    private const string Self = "akka.tcp://switchboard@127.0.0.1:4053";
    private const string Other = "akka.tcp://switchboard@127.0.0.1:4054";

    private static readonly ClusterView TwoMembers = new(Self, Self,
    [
        new ClusterMember(Self, ["hub", "seed"], "Up", true, "0.19.0", IsLeader: true, IsSelf: true),
        new ClusterMember(Other, ["hub"], "Leaving", false, "0.18.2", IsLeader: false, IsSelf: false),
    ]);

    [Fact]
    public async Task Show_draws_a_row_a_member_with_its_marks_and_the_count()
    {
        Node.Answer("GET", "/ws/admin/cluster", TwoMembers);

        var run = await SbctlAsync("cluster", "show");

        Assert.True(run.ExitCode == 0, run.ToString());
        var self = run.Line(Self);
        Assert.Contains("hub,seed", self);
        Assert.Contains("Up", self);
        Assert.Contains("yes", self);
        Assert.Contains("0.19.0", self);
        Assert.Contains("leader self", self);
        var other = run.Line(Other);
        Assert.Contains("Leaving", other);
        Assert.Contains("no", other);
        Assert.DoesNotContain("leader", other);
        Assert.Contains("2 members\n", run.Rendered);
    }

    [Fact]
    public async Task Show_counts_one_member_in_the_singular()
    {
        Node.Answer("GET", "/ws/admin/cluster", TwoMembers with { Members = [TwoMembers.Members[0]] });

        var run = await SbctlAsync("cluster", "show");

        Assert.EndsWith("1 member\n", run.Rendered);
    }

    [Fact]
    public async Task Show_json_is_the_nodes_cluster_view()
    {
        Node.Answer("GET", "/ws/admin/cluster", TwoMembers);

        var run = await SbctlAsync("cluster", "show", "--json");

        JsonAssert.SameAs(TwoMembers, run.Stdout);
        Assert.Equal("", run.Rendered);
    }

    [Fact]
    public async Task Status_draws_this_nodes_membership()
    {
        Node.Answer("GET", "/ws/admin/cluster", TwoMembers);

        var run = await SbctlAsync("cluster", "status");

        Assert.Contains(Self, run.Line("address"));
        Assert.Contains("Up", run.Line("status"));
        Assert.Contains("hub,seed", run.Line("roles"));
        Assert.Contains("yes", run.Line("leader"));
        Assert.DoesNotContain(Other, run.Rendered);
    }

    [Fact]
    public async Task Status_finds_the_member_marked_self_when_the_addresses_are_spelt_apart()
    {
        // The node may name itself by another spelling (a hostname) than its member entry (an IP).
        Node.Answer("GET", "/ws/admin/cluster", TwoMembers with { Self = "akka.tcp://switchboard@localhost:4053" });

        var run = await SbctlAsync("cluster", "status", "--json");

        JsonAssert.SameAs(TwoMembers.Members[0], run.Stdout);
    }

    [Fact]
    public async Task Leader_prints_the_address_and_json_names_it()
    {
        Node.Answer("GET", "/ws/admin/cluster", TwoMembers);

        var table = await SbctlAsync("cluster", "leader");
        var json = await SbctlAsync("cluster", "leader", "--json");

        Assert.Equal(Self + "\n", table.Rendered);
        JsonAssert.SameAs(new { leader = Self }, json.Stdout);
    }

    [Fact]
    public async Task A_cluster_without_a_leader_says_so_and_json_has_null()
    {
        Node.Answer("GET", "/ws/admin/cluster", TwoMembers with { Leader = null });

        var table = await SbctlAsync("cluster", "leader");
        var json = await SbctlAsync("cluster", "leader", "--json");

        Assert.Equal("no leader\n", table.Rendered);
        JsonAssert.SameAs(new { leader = (string?)null }, json.Stdout);
    }

    [Fact]
    public async Task Tail_prints_a_line_an_event_and_says_on_stderr_that_it_follows()
    {
        var at = new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero);
        Node.On("GET", "/ws/admin/cluster/events", c => LoopbackNode.WriteEventsAsync(c,
            Json(new ClusterEvent(at, "member_up", Other, "Up")), Json(new ClusterEvent(at, "unreachable", Other, null))));

        var run = await SbctlAsync("cluster", "tail");

        Assert.Equal($"2026-03-04 05:06:07Z  member_up        {Other}  Up\n2026-03-04 05:06:07Z  unreachable      {Other}\n", run.Rendered);
        Assert.Equal($"following the cluster's events; Ctrl+C to stop{Environment.NewLine}", run.Stderr);
    }

    [Fact]
    public async Task Tail_json_writes_an_event_a_line_and_nothing_on_stderr()
    {
        var at = new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero);
        var events = new[] { new ClusterEvent(at, "member_up", Other, "Up"), new ClusterEvent(at, "leader_changed", Self, null) };
        Node.On("GET", "/ws/admin/cluster/events", c => LoopbackNode.WriteEventsAsync(c, [.. events.Select(Json)]));

        var run = await SbctlAsync("cluster", "tail", "--json");

        var lines = run.Stdout.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        JsonAssert.SameAs(events[0], lines[0]);
        JsonAssert.SameAs(events[1], lines[1]);
        Assert.Equal("", run.Stderr);
    }

    [Theory]
    [InlineData("leave")]
    [InlineData("down", Other)]
    [InlineData("join", Other)]
    [InlineData("down-unreachable")]
    public async Task A_change_prints_the_nodes_message(string change, string? address = null)
    {
        var route = change switch
        {
            "leave" => AdminRoutes.ClusterLeave,
            "down" => AdminRoutes.ClusterDown,
            "join" => AdminRoutes.ClusterJoin,
            _ => AdminRoutes.ClusterDownUnreachable,
        };
        Node.Answer("POST", "/ws" + route, new ActionResult(true, $"{change}: done"));

        var run = await SbctlAsync(["cluster", change, .. address is null ? Array.Empty<string>() : [address]]);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal($"{change}: done\n", run.Rendered);
    }

    private static string Json<T>(T value) => System.Text.Json.JsonSerializer.Serialize(value, AdminJson.Options);
}

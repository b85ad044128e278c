using Switchboard.IntegrationTests.Support;

namespace Switchboard.IntegrationTests;

/// <summary>sbctl's interactive prompt in a real terminal (tmux): help, commands without the global options, history, confirmation, exit.</summary>
public sealed class SbctlPromptTests(KeyedServerFixture keyed) : IClassFixture<KeyedServerFixture>
{
    private const string Prompt = "sbctl 127.0.0.1:";

    private Task<Tmux> OpenPromptAsync() => Tmux.StartAsync(Sbctl.CommandLine(
        ["--node", keyed.Server.BaseUri.ToString(), "--key", KeyedServerFixture.Operator]));

    [Fact]
    public async Task Help_a_command_and_exit()
    {
        await using var terminal = await OpenPromptAsync();
        await terminal.WaitForTextAsync(Prompt);

        await terminal.TypeLineAsync("help");
        await terminal.WaitForTextAsync("Commands:");
        await terminal.TypeLineAsync("stats");
        var screen = await terminal.WaitForTextAsync("max_connections");
        await terminal.TypeLineAsync("exit");

        Assert.Contains(keyed.Server.Hub.Node, screen);
        Assert.Equal(0, await terminal.ExitCodeAsync());
    }

    [Fact]
    public async Task A_refusal_or_a_usage_error_leaves_the_prompt_open()
    {
        await using var terminal = await OpenPromptAsync();
        await terminal.WaitForTextAsync(Prompt);

        await terminal.TypeLineAsync("send --type chat");
        await terminal.WaitForTextAsync("exactly one of --to and --group");
        await terminal.TypeLineAsync("stats --prefix /no-hub-here");
        await terminal.WaitForAsync(s => s.Split('\n').Count(l => l.StartsWith("sbctl: ")) >= 2, "a second error line");
        await terminal.TypeLineAsync("help stats");
        await terminal.WaitForTextAsync("--cluster");
        await terminal.TypeLineAsync("quit");

        Assert.Equal(0, await terminal.ExitCodeAsync());
    }

    [Fact]
    public async Task A_global_option_on_a_line_applies_to_that_line_only()
    {
        await using var terminal = await OpenPromptAsync();
        await terminal.WaitForTextAsync(Prompt);

        await terminal.TypeLineAsync("stats --prefix /no-hub-here");
        await terminal.WaitForTextAsync("HTTP 404");
        await terminal.TypeLineAsync("stats --json");
        var screen = await terminal.WaitForTextAsync("\"uptime_seconds\"");
        await terminal.TypeLineAsync("exit");

        Assert.Contains(keyed.Server.Hub.Node, screen);
        Assert.Equal(0, await terminal.ExitCodeAsync());
    }

    [Fact]
    public async Task History_lists_the_lines_and_bang_number_runs_one_again()
    {
        await using var terminal = await OpenPromptAsync();
        await terminal.WaitForTextAsync(Prompt);

        await terminal.TypeLineAsync("stats --json");
        await terminal.WaitForTextAsync("\"uptime_seconds\"");
        await terminal.TypeLineAsync("history");
        await terminal.WaitForTextAsync("   1  stats --json");
        await terminal.TypeLineAsync("!1");
        var screen = await terminal.WaitForAsync(s => s.Split("\"uptime_seconds\"").Length == 3, "the stats a second time");
        await terminal.TypeLineAsync("exit");

        Assert.Contains("   2  history", screen);
        Assert.Equal(0, await terminal.ExitCodeAsync());
    }

    [Fact]
    public async Task A_command_that_changes_state_asks_first_and_no_leaves_it_undone()
    {
        await using var terminal = await OpenPromptAsync();
        await terminal.WaitForTextAsync(Prompt);

        await terminal.TypeLineAsync("cluster down akka.tcp://switchboard@10.9.9.9:4053");
        await terminal.WaitForTextAsync("down akka.tcp://switchboard@10.9.9.9:4053?");
        await terminal.TypeLineAsync("n");
        // Answered no: back at the prompt without asking the node (which would have answered with an error line).
        var screen = await terminal.WaitForAsync(s => s.Split(Prompt).Length == 3, "the prompt again");
        await terminal.TypeLineAsync("exit");

        Assert.DoesNotContain("sbctl: ", screen);
        Assert.Equal(0, await terminal.ExitCodeAsync());
    }

    [Fact]
    public async Task Lines_piped_into_the_prompt_run_and_a_change_without_yes_is_refused()
    {
        var run = await Sbctl.RunAsync(["--node", keyed.Server.BaseUri.ToString(), "--key", KeyedServerFixture.Operator], null,
            stdin: "cluster down akka.tcp://switchboard@10.9.9.9:4053\nstats --json\nexit\n");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("add --yes", run.Stderr);
        Assert.Contains("\"uptime_seconds\"", run.Stdout);
    }

    [Fact]
    public async Task A_prompt_lines_own_node_option_filters_connections_by_member_while_the_session_says_which_node_to_ask()
    {
        string[] session = ["--node", keyed.Server.BaseUri.ToString(), "--key", KeyedServerFixture.Operator];
        var self = (await Sbctl.RunAsync([.. session, "cluster", "status", "--json"])).Json().GetProperty("address").GetString()!;
        var member = self[(self.LastIndexOf('@') + 1)..];

        var run = await Sbctl.RunAsync(session, null,
            stdin: $"connections list --node {member} --limit 1 --json\nconnections list --node 10.9.9.9:4053\nexit\n");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("\"connections\"", run.Stdout);
        Assert.Contains("\"10.9.9.9:4053\" is not an Up member", run.Stderr);
    }
}

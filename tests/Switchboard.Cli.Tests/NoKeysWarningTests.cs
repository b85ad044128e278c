using Switchboard.Cli.Tests.Support;
using Switchboard.Contracts;

namespace Switchboard.Cli.Tests;

/// <summary>
/// A node without keys serves loopback callers whatever key they send, and says so in a header: sbctl warns, on stderr,
/// when it sent a key to such a node, so that a made-up key is not taken for a checked one.
/// </summary>
public sealed class NoKeysWarningTests : WithLoopbackNode
{
    private void AnswerStats(bool nodeHasKeys) => Node.On("GET", "/ws/stats", async context =>
    {
        if (!nodeHasKeys)
            context.Response.Headers[ApiKeys.NoKeysHeader] = ApiKeys.NoKeysValue;
        await LoopbackNode.WriteJsonAsync(context, new { node = "127.0.0.1:4053", connections = 0 });
    });

    [Fact]
    public async Task A_key_sent_to_a_node_without_keys_gets_a_warning_on_stderr_and_the_answer_on_stdout()
    {
        AnswerStats(nodeHasKeys: false);

        var run = await SbctlAsync("--key", "made-up-key-0123456789", "stats", "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("127.0.0.1:4053", run.Json().GetProperty("node").GetString());
        var warning = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"sbctl: warning: {Node.Url} has no API keys configured, so the key given was not checked", warning);
        Assert.Contains("Auth:ApiKeys", warning);
        Assert.DoesNotContain("made-up-key", warning);
    }

    [Fact]
    public async Task No_key_sent_to_a_node_without_keys_is_what_protected_mode_is_for_and_gets_no_warning()
    {
        AnswerStats(nodeHasKeys: false);

        var run = await SbctlAsync("stats", "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("", run.Stderr);
    }

    [Fact]
    public async Task A_node_with_keys_sends_no_such_header_and_sbctl_no_warning()
    {
        AnswerStats(nodeHasKeys: true);

        var run = await SbctlAsync("--key", "a-real-key-0123456789", "stats", "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("", run.Stderr);
    }
}

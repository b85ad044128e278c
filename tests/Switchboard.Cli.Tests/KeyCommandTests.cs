using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Switchboard.Cli.Commands;
using Switchboard.Cli.Tests.Support;
using Switchboard.Contracts;

namespace Switchboard.Cli.Tests;

/// <summary>
/// <c>keys new</c>: a strong key from the system's cryptographic generator, and the lines that configure it on a node,
/// with the key or its digest. It asks no node. (The node taking those lines is tested with the real binary and a real
/// node in the integration tests.)
/// </summary>
public sealed class KeyCommandTests
{
    private static async Task<JsonElement> NewKeyAsync(params string[] args)
    {
        var run = await InProcessSbctl.RunAsync(["keys", "new", "--json", .. args]);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("", run.Stderr);
        return run.Json();
    }

    private static string[] Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];

    [Fact]
    public async Task A_key_is_the_prefix_and_256_random_bits_as_base64url()
    {
        var key = (await NewKeyAsync("--scopes", "admin")).GetProperty("key").GetString()!;

        Assert.StartsWith(KeyCommands.Prefix, key);
        var random = key[KeyCommands.Prefix.Length..];
        Assert.Equal(43, random.Length);
        Assert.True(Base64Url.IsValid(random), key);
        Assert.Equal(KeyCommands.RandomBytes, Base64Url.DecodeFromChars(random).Length);
        // Safe as it is in a header, a URL, a shell and an .env file.
        Assert.All(key, c => Assert.True(char.IsAsciiLetterOrDigit(c) || c is '_' or '-', key));
    }

    [Fact]
    public void Keys_do_not_repeat()
    {
        var keys = Enumerable.Range(0, 2000).Select(_ => KeyCommands.NewKey()).ToHashSet();
        Assert.Equal(2000, keys.Count);
        // Every one of the 64 base64url symbols turns up first in 2000 keys (all but one in 10^12 runs),
        // as it would not from a generator that skipped some.
        Assert.Equal(64, keys.Select(k => k[KeyCommands.Prefix.Length]).Distinct().Count());
    }

    [Fact]
    public async Task The_lines_configure_the_key_as_environment_variables_and_as_settings()
    {
        var created = await NewKeyAsync("--scopes", "publish,read", "--scopes", "impersonate", "--name", "backend", "--index", "2");
        var key = created.GetProperty("key").GetString()!;

        Assert.Equal("backend", created.GetProperty("name").GetString());
        Assert.Equal(["publish", "read", "impersonate"], Strings(created.GetProperty("scopes")));
        Assert.Equal(key, created.GetProperty("node_key").GetString());
        Assert.Equal(
            ["Auth__ApiKeys__2__Name=backend", $"Auth__ApiKeys__2__Key={key}", "Auth__ApiKeys__2__Scopes=publish,read,impersonate"],
            Strings(created.GetProperty("environment")));
        var settings = created.GetProperty("appsettings");
        Assert.Equal(("backend", key), (settings.GetProperty("Name").GetString(), settings.GetProperty("Key").GetString()));
        Assert.Equal(["publish", "read", "impersonate"], Strings(settings.GetProperty("Scopes")));
    }

    [Fact]
    public async Task With_digest_the_node_is_given_the_keys_sha256_and_never_the_key()
    {
        var created = await NewKeyAsync("--scopes", "read", "--digest");
        var key = created.GetProperty("key").GetString()!;
        var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

        Assert.Equal(digest, created.GetProperty("digest").GetString());
        Assert.Equal(digest, created.GetProperty("node_key").GetString());
        Assert.Contains($"Auth__ApiKeys__0__Key={digest}", Strings(created.GetProperty("environment")));
        Assert.Equal(digest, created.GetProperty("appsettings").GetProperty("Key").GetString());
        Assert.DoesNotContain(key, created.GetProperty("environment").ToString());
        Assert.DoesNotContain(key, created.GetProperty("appsettings").ToString());
    }

    [Fact]
    public async Task The_text_shows_the_key_once_and_lines_to_copy_whole()
    {
        var run = await InProcessSbctl.RunAsync("keys", "new", "--scopes", "admin", "--digest");

        Assert.True(run.ExitCode == 0, run.ToString());
        var lines = run.Stdout.Split(Environment.NewLine);
        var key = Assert.Single(lines, l => l.StartsWith("  " + KeyCommands.Prefix, StringComparison.Ordinal)).Trim();
        var digest = ApiKeys.DigestForm(key);
        Assert.Contains($"  Auth__ApiKeys__0__Key={digest}", lines);
        Assert.Contains($$"""  { "Name": "key0", "Key": "{{digest}}", "Scopes": ["admin"] }""", lines);
        Assert.Single(lines, l => l.Contains(key, StringComparison.Ordinal));
        Assert.Equal("", run.Rendered);
    }

    [Theory]
    [InlineData("--scopes", "write")]
    [InlineData("--scopes", "read,Admin")]
    [InlineData("--scopes", ",")]
    [InlineData("--name", "two words", "--scopes", "read")]
    [InlineData("--index", "-1", "--scopes", "read")]
    [InlineData("--name", "backend")] // --scopes is required
    public async Task A_bad_option_is_a_usage_error_and_prints_no_key(params string[] args)
    {
        var run = await InProcessSbctl.RunAsync(["keys", "new", .. args]);

        Assert.True(run.ExitCode == ExitCodes.Usage, run.ToString());
        Assert.True(run.NothingOnStdout, run.ToString());
        Assert.StartsWith("sbctl: ", run.Stderr);
    }

    [Fact]
    public async Task It_asks_no_node_so_a_bad_node_address_does_not_stop_it()
    {
        var run = await InProcessSbctl.RunAsync(["keys", "new", "--scopes", "read"],
            new Dictionary<string, string> { ["SBCTL_NODE"] = "not a url" });
        Assert.True(run.ExitCode == 0, run.ToString());
    }
}

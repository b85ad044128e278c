using Switchboard.Contracts;
using Switchboard.Service.Auth;
using Switchboard.Service.Settings;

namespace Switchboard.Service.Tests;

/// <summary><c>Auth:ApiKeys</c> as the loader reads it: every bad entry stops start-up with its path, never its key.</summary>
public sealed class ApiKeySettingsTests
{
    private const string Key = "0123456789abcdef0123";

    private static AuthOptions Load(Dictionary<string, string?> values) => AuthSettings.Load(values);

    private static string Refused(Dictionary<string, string?> values) => AuthSettings.Refused(values).Message;

    [Fact]
    public void No_keys_by_default()
    {
        Assert.Empty(Load([]).ApiKeys);
        Assert.True(new ApiAccess(Load([])).ProtectedMode);
    }

    [Fact]
    public void Keys_are_read_as_environment_variables_write_them()
    {
        var keys = Load(new()
        {
            ["Auth:ApiKeys:0:Name"] = "backend",
            ["Auth:ApiKeys:0:Key"] = Key,
            ["Auth:ApiKeys:0:Scopes:0"] = "publish",
            ["Auth:ApiKeys:0:Scopes:1"] = "impersonate",
            ["Auth:ApiKeys:1:Key"] = Key + "x",
            ["Auth:ApiKeys:1:Scopes"] = "read, admin",
        }).ApiKeys;
        Assert.Equal(2, keys.Count);
        Assert.Equal(("backend", Key), (keys[0].Name, keys[0].Key));
        Assert.Equal(["publish", "impersonate"], keys[0].Scopes);
        Assert.Equal("key1", keys[1].Name);
        Assert.Equal(["read", "admin"], keys[1].Scopes);
    }

    [Theory]
    [InlineData("Auth:ApiKeys:0:Key", "short", "Auth:ApiKeys:0:Key: 5 characters; a key needs at least 16")]
    [InlineData("Auth:ApiKeys:0:Key", "", "Auth:ApiKeys:0:Key: missing")]
    [InlineData("Auth:ApiKeys:0:Key", "0123456789 abcdef", "Auth:ApiKeys:0:Key: a key is printable ASCII")]
    [InlineData("Auth:ApiKeys:0:Key", "0123456789abcdéf", "Auth:ApiKeys:0:Key: a key is printable ASCII")]
    [InlineData("Auth:ApiKeys:0:Scopes:0", "", "Auth:ApiKeys:0:Scopes: missing")]
    [InlineData("Auth:ApiKeys:0:Scopes:0", "write", "Auth:ApiKeys:0:Scopes=\"write\": not a scope")]
    [InlineData("Auth:ApiKeys:0:Scopes:0", "Publish", "Auth:ApiKeys:0:Scopes=\"Publish\": not a scope")]
    public void A_bad_entry_stops_start_up_naming_its_path(string path, string value, string expected)
    {
        var values = new Dictionary<string, string?>
        {
            ["Auth:ApiKeys:0:Name"] = "backend",
            ["Auth:ApiKeys:0:Key"] = Key,
            ["Auth:ApiKeys:0:Scopes:0"] = "publish",
        };
        values[path] = value;
        var message = Refused(values);
        Assert.Contains(expected, message);
        if (value.Length > 0 && path.EndsWith(":Key"))
            Assert.DoesNotContain(value, message);
    }

    [Fact]
    public void Duplicate_key_is_named_by_path_and_the_other_keys_name_not_the_key()
    {
        var message = Refused(new()
        {
            ["Auth:ApiKeys:0:Name"] = "first",
            ["Auth:ApiKeys:0:Key"] = Key,
            ["Auth:ApiKeys:0:Scopes:0"] = "read",
            ["Auth:ApiKeys:1:Name"] = "second",
            ["Auth:ApiKeys:1:Key"] = Key,
            ["Auth:ApiKeys:1:Scopes:0"] = "publish",
        });
        Assert.Contains("Auth:ApiKeys:1:Key: the same key as first", message);
        Assert.DoesNotContain(Key, message);
    }

    [Fact]
    public void Duplicate_name_is_named_by_path()
    {
        var message = Refused(new()
        {
            ["Auth:ApiKeys:0:Name"] = "backend",
            ["Auth:ApiKeys:0:Key"] = Key,
            ["Auth:ApiKeys:0:Scopes:0"] = "read",
            ["Auth:ApiKeys:1:Name"] = "backend",
            ["Auth:ApiKeys:1:Key"] = Key + "x",
            ["Auth:ApiKeys:1:Scopes:0"] = "read",
        });
        Assert.Contains("Auth:ApiKeys:1:Name=\"backend\": two keys have this name", message);
    }

    [Fact]
    public void A_key_given_as_the_whole_setting_is_refused_without_echoing_it()
    {
        var message = Refused(new() { ["Auth:ApiKeys"] = Key });
        Assert.Contains("Auth:ApiKeys: a list of keys", message);
        Assert.DoesNotContain(Key, message);
    }

    [Fact]
    public void Every_bad_entry_is_reported_at_once()
    {
        var problems = Assert.Throws<SwitchboardSettingsException>(() => Load(new()
        {
            ["Auth:ApiKeys:0:Key"] = "short",
            ["Auth:ApiKeys:0:Scopes:0"] = "read",
            ["Auth:ApiKeys:1:Key"] = Key,
        })).Problems;
        Assert.Equal(2, problems.Count);
        Assert.Contains(problems, p => p.StartsWith("Auth:ApiKeys:0:Key"));
        Assert.Contains(problems, p => p.StartsWith("Auth:ApiKeys:1:Scopes"));
    }

    [Fact]
    public void A_key_may_be_given_as_its_digest()
    {
        var digest = ApiKeys.DigestForm(Key);
        var keys = Load(new() { ["Auth:ApiKeys:0:Key"] = digest, ["Auth:ApiKeys:0:Scopes"] = "read" }).ApiKeys;
        Assert.Equal(digest, Assert.Single(keys).Key);
        Assert.False(new ApiAccess(keys).ProtectedMode);
    }

    [Theory]
    [InlineData("sha256:")]
    [InlineData("sha256:0123456789abcdef")]                                                     // too short
    [InlineData("sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeg")] // not hex
    [InlineData("SHA256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef00")] // too long, any case of the prefix
    public void A_malformed_digest_stops_start_up_without_echoing_it(string configured)
    {
        var message = Refused(new() { ["Auth:ApiKeys:0:Key"] = configured, ["Auth:ApiKeys:0:Scopes"] = "read" });
        Assert.Contains("Auth:ApiKeys:0:Key: sha256: is followed by the key's SHA-256 as 64 hex digits", message);
        if (configured.Length > "sha256:".Length)
            Assert.DoesNotContain(configured["sha256:".Length..], message);
    }

    [Fact]
    public void A_key_and_its_digest_are_the_same_key()
    {
        var message = Refused(new()
        {
            ["Auth:ApiKeys:0:Name"] = "plain",
            ["Auth:ApiKeys:0:Key"] = Key,
            ["Auth:ApiKeys:0:Scopes"] = "read",
            ["Auth:ApiKeys:1:Name"] = "hashed",
            ["Auth:ApiKeys:1:Key"] = ApiKeys.DigestForm(Key),
            ["Auth:ApiKeys:1:Scopes"] = "admin",
        });
        Assert.Contains("Auth:ApiKeys:1:Key: the same key as plain", message);
    }

    [Fact]
    public void A_key_longer_than_any_header_should_carry_is_refused()
    {
        var message = Refused(new() { ["Auth:ApiKeys:0:Key"] = new string('k', ApiKeys.MaxLength + 1), ["Auth:ApiKeys:0:Scopes"] = "read" });
        Assert.Contains($"Auth:ApiKeys:0:Key: {ApiKeys.MaxLength + 1} characters; a key has at most {ApiKeys.MaxLength}", message);
    }
}

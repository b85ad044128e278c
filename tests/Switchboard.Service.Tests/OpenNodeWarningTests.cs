using Switchboard.Service.Auth;
using Switchboard.Service.Hosting;

namespace Switchboard.Service.Tests;

/// <summary>The start-up warning for an unguarded node looks at the addresses Kestrel bound, as it reports them.</summary>
public sealed class OpenNodeWarningTests
{
    [Theory]
    [InlineData("http://127.0.0.1:8080", false)]
    [InlineData("http://localhost:8080", false)]
    [InlineData("http://[::1]:8080", false)]
    [InlineData("http://unix:/run/switchboard.sock", false)]
    [InlineData("http://[::]:8080", true)]
    [InlineData("http://0.0.0.0:8080", true)]
    [InlineData("https://10.0.0.5:443", true)]
    [InlineData("http://example.com:80", true)]
    public void The_start_up_warning_counts_only_addresses_beyond_loopback(string address, bool beyond) =>
        Assert.Equal(beyond, SwitchboardLifecycle.BeyondLoopback(address));

    private static readonly string[] Bound = ["http://127.0.0.1:8080", "http://[::]:8081", "http://0.0.0.0:8082"];

    [Fact]
    public void A_node_without_keys_or_tokens_names_its_open_addresses() =>
        Assert.Equal(["http://[::]:8081", "http://0.0.0.0:8082"], SwitchboardLifecycle.Unguarded(new AuthOptions(), Bound));

    [Fact]
    public void A_node_on_loopback_only_is_not_open() =>
        Assert.Empty(SwitchboardLifecycle.Unguarded(new AuthOptions(), ["http://127.0.0.1:8080", "http://localhost:8081"]));

    [Fact]
    public void Api_keys_or_tokens_silence_the_warning()
    {
        Assert.Empty(SwitchboardLifecycle.Unguarded(
            new AuthOptions { ApiKeys = [new ApiKeyOptions("k", "0123456789abcdef", ["read"])] }, Bound));
        Assert.Empty(SwitchboardLifecycle.Unguarded(new AuthOptions { Jwt = new JwtOptions { Secret = new string('s', 32) } }, Bound));
    }
}

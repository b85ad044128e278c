using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Switchboard.Actors.Hooks;
using Switchboard.Service.Hooks;

namespace Switchboard.Service.Tests;

/// <summary>What a connect hook sees of the client: only the headers and cookies the settings name, as the client sent them.</summary>
public sealed class ConnectForwardingTests
{
    private static readonly ConnectForwarding Forwarding = new(HookOptions.Defaults with
    {
        ForwardHeaders = ["X-Tenant", "User-Agent"],
        ForwardCookies = ["session", "theme"],
    });

    // Headers as both upgrade paths hold them: names compared without case.
    private static HookClient Client(Dictionary<string, StringValues> headers) => Forwarding.ClientOf(
        new HeaderDictionary(new Dictionary<string, StringValues>(headers, StringComparer.OrdinalIgnoreCase)), IPAddress.Parse("127.0.0.1"));

    [Fact]
    public void Only_the_named_headers_are_forwarded_under_the_names_configured()
    {
        var client = Client(new()
        {
            ["x-tenant"] = "acme", ["Authorization"] = "Bearer secret", ["X-Other"] = "no", ["Cookie"] = "session=abc",
        });
        Assert.Equal(new Dictionary<string, string> { ["X-Tenant"] = "acme" }, client.Headers);
        Assert.Equal("127.0.0.1", client.Address);
    }

    [Fact]
    public void A_header_sent_twice_is_one_value()
    {
        var client = Client(new() { ["X-Tenant"] = new StringValues(["a", "b"]) });
        Assert.Equal("a,b", client.Headers["X-Tenant"]);
    }

    [Fact]
    public void Only_the_named_cookies_are_forwarded_with_their_values_as_sent()
    {
        var client = Client(new() { ["Cookie"] = "tracker=xyz; session=user:alice;theme=\"dark\" ; other=1" });
        Assert.Equal(new Dictionary<string, string> { ["session"] = "user:alice", ["theme"] = "\"dark\"" }, client.Cookies);
    }

    [Fact]
    public void Cookie_names_are_case_sensitive_and_the_first_of_a_name_wins()
    {
        var client = Client(new() { ["Cookie"] = new StringValues(["Session=upper; session=first", "session=second"]) });
        Assert.Equal(new Dictionary<string, string> { ["session"] = "first" }, client.Cookies);
    }

    [Theory]
    [InlineData("")]
    [InlineData(";;")]
    [InlineData("=novalue; session")]
    [InlineData("garbage without pairs")]
    public void A_malformed_cookie_header_forwards_nothing_and_does_not_throw(string header) =>
        Assert.Empty(Client(new() { ["Cookie"] = header }).Cookies);

    [Fact]
    public void A_broken_pair_does_not_hide_the_others()
    {
        var client = Client(new() { ["Cookie"] = "broken; =x; session=ok" });
        Assert.Equal("ok", client.Cookies["session"]);
    }
}

using System.Net;
using Microsoft.AspNetCore.Http;
using Switchboard.Service.RateLimiting;

namespace Switchboard.Service.Tests;

public sealed class ClientKeyTests
{
    private static HttpContext Request(string remote, string? forwardedFor = null, (string, string)? header = null)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(remote);
        if (forwardedFor is not null)
            context.Request.Headers["X-Forwarded-For"] = forwardedFor;
        if (header is { } h)
            context.Request.Headers[h.Item1] = h.Item2;
        return context;
    }

    private static RateLimitPolicy Policy(RateLimiterOptions options) => RateLimitPolicy.From(options with { Rate = "1-M" });

    [Fact]
    public void Without_trusted_proxies_the_forwarded_header_is_ignored()
    {
        var policy = Policy(new RateLimiterOptions());
        Assert.Equal("ip:10.0.0.1", ClientKey.For(Request("10.0.0.1", "203.0.113.7"), policy, "/"));
    }

    [Fact]
    public void Behind_trusted_proxies_the_right_most_untrusted_hop_is_the_client()
    {
        var policy = Policy(new RateLimiterOptions { TrustedProxies = ["10.0.0.0/8"] });
        Assert.Equal("ip:203.0.113.7", ClientKey.For(Request("10.0.0.1", "198.51.100.1, 203.0.113.7, 10.0.0.2"), policy, "/"));
        // A request that does not come through a trusted proxy cannot choose its address.
        Assert.Equal("ip:192.0.2.9", ClientKey.For(Request("192.0.2.9", "203.0.113.7"), policy, "/"));
    }

    [Fact]
    public void Ipv6_clients_are_grouped_by_their_64_and_mapped_ipv4_counts_as_ipv4()
    {
        var policy = Policy(new RateLimiterOptions());
        Assert.Equal(ClientKey.For(Request("2001:db8:1:2::1"), policy, "/"), ClientKey.For(Request("2001:db8:1:2:ffff::9"), policy, "/"));
        Assert.NotEqual(ClientKey.For(Request("2001:db8:1:2::1"), policy, "/"), ClientKey.For(Request("2001:db8:1:3::1"), policy, "/"));
        Assert.Equal("ip:192.0.2.1", ClientKey.For(Request("::ffff:192.0.2.1"), policy, "/"));
    }

    [Fact]
    public void Header_and_user_identifiers_fall_back_to_the_address()
    {
        var byHeader = Policy(new RateLimiterOptions { Identifier = "header" });
        Assert.Equal("header:abc", ClientKey.For(Request("192.0.2.1", header: ("X-Client-ID", "abc")), byHeader, "/"));
        Assert.Equal("ip:192.0.2.1", ClientKey.For(Request("192.0.2.1"), byHeader, "/"));

        var byUser = Policy(new RateLimiterOptions { Identifier = "user" });
        Assert.Equal("user:ann", ClientKey.For(Request("192.0.2.1"), byUser, "/", tokenSubject: "ann"));
        Assert.Equal("ip:192.0.2.1", ClientKey.For(Request("192.0.2.1"), byUser, "/"));
    }

    [Fact]
    public void User_identifier_counts_a_claimed_user_id_as_its_address() =>
        Assert.Equal("ip:192.0.2.1", ClientKey.For(Request("192.0.2.1", header: ("X-User-ID", "ann")),
            Policy(new RateLimiterOptions { Identifier = "user" }), "/"));

    [Fact]
    public void User_identifier_prefers_the_authenticated_user_over_the_header()
    {
        var context = Request("192.0.2.1", header: ("X-User-ID", "claimed"));
        context.User = new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity(
            [new System.Security.Claims.Claim(System.Security.Claims.ClaimTypes.Name, "signed-in")], authenticationType: "test"));
        Assert.Equal("user:signed-in", ClientKey.For(context, Policy(new RateLimiterOptions { Identifier = "user" }), "/"));
    }

    [Theory]
    [InlineData("TrustedProxies", "10.0.0.0/33")]
    [InlineData("WhitelistCIDRs", "not-a-cidr")]
    public void Invalid_ranges_are_refused_naming_the_setting(string setting, string cidr)
    {
        var options = setting == "TrustedProxies" ? new RateLimiterOptions { TrustedProxies = [cidr] } : new RateLimiterOptions { WhitelistCIDRs = [cidr] };
        Assert.Contains($"RateLimiter:{setting}", Assert.Throws<FormatException>(() => RateLimitPolicy.From(options)).Message);
    }
}

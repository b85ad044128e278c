using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Switchboard.Contracts;
using Switchboard.Service.Auth;

namespace Switchboard.Service.Tests;

/// <summary>
/// The API's access rules without a network: what the integration tests cannot reach from loopback
/// (other addresses, IPv6, IPv4-mapped forms), the headers and Host names that make a loopback peer no loopback
/// caller, and the edges of presenting a key.
/// </summary>
public sealed class ApiAccessTests
{
    private const string PublishKey = "publish-key-0123456789";
    private const string ReadKey = "read-key-0123456789ab";
    private const string AdminKey = "admin-key-0123456789a";

    private static readonly ApiAccess Keyed = new(
    [
        new ApiKeyOptions("publisher", PublishKey, ["publish"]),
        new ApiKeyOptions("reader", ReadKey, ["read"]),
        new ApiKeyOptions("operator", AdminKey, ["admin"]),
    ]);

    private static readonly ApiAccess Unkeyed = new(Array.Empty<ApiKeyOptions>());

    // Read from a request as the endpoints read it; its Host is loopback's unless a test names another (null: none).
    private static ApiRequest From(string address, StringValues authorization = default, StringValues apiKey = default,
        string? host = "localhost:8080", string? header = null, string headerValue = "203.0.113.9")
    {
        var http = new DefaultHttpContext();
        http.Connection.RemoteIpAddress = IPAddress.Parse(address);
        if (host is not null)
            http.Request.Host = new HostString(host);
        if (authorization.Count > 0)
            http.Request.Headers.Authorization = authorization;
        if (apiKey.Count > 0)
            http.Request.Headers[ApiRequest.ApiKeyHeader] = apiKey;
        if (header is not null)
            http.Request.Headers[header] = headerValue;
        return ApiRequest.Of(http);
    }

    private static void AssertRefused(ApiDecision decision, int status, string code)
    {
        Assert.NotNull(decision.Refusal);
        Assert.Equal((status, code), (decision.Refusal!.Status, decision.Refusal.Error.Error));
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.10.20.30")]
    [InlineData("::1")]
    [InlineData("::ffff:127.0.0.1")]
    public void Protected_mode_gives_loopback_callers_every_scope(string address)
    {
        Assert.True(Unkeyed.ProtectedMode);
        foreach (var scope in new[] { ApiScopes.Publish, ApiScopes.Read, ApiScopes.Impersonate, ApiScopes.Admin })
        {
            var decision = Unkeyed.Decide(scope, From(address));
            Assert.Null(decision.Refusal);
            Assert.True(decision.Caller!.Has(scope));
        }
    }

    [Theory]
    [InlineData("10.0.0.5")]
    [InlineData("192.168.1.20")]
    [InlineData("0.0.0.0")]
    [InlineData("2001:db8::7")]
    [InlineData("fe80::1")]
    [InlineData("::")]
    [InlineData("::ffff:10.0.0.5")]
    [InlineData("::127.0.0.1")]
    public void Protected_mode_refuses_other_addresses_naming_the_setting(string address)
    {
        var decision = Unkeyed.Decide(ApiScopes.Read, From(address));
        AssertRefused(decision, 401, "unauthorized");
        Assert.Contains("Auth:ApiKeys", decision.Refusal!.Error.Message);
    }

    [Fact]
    public void Protected_mode_refuses_other_addresses_whatever_key_they_present() =>
        AssertRefused(Unkeyed.Decide(ApiScopes.Read, From("203.0.113.9", authorization: "Bearer " + AdminKey)), 401, "unauthorized");

    // PROTOCOL.md's list and the prefixes' members, written out here rather than read from ProxyHeaders.
    public static TheoryData<string> ContractProxyHeaders => new()
    {
        "Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Forwarded-Port", "X-Forwarded-Prefix",
        "X-Forwarded-Server", "X-Forwarded-Ssl", "X-Forwarded", "X-Real-IP", "Via", "X-Client-IP", "True-Client-IP",
        "CF-Connecting-IP", "X-Original-For", "X-Original-Host", "X-Original-Proto", "X-Original-URL", "X-Cluster-Client-IP",
        "Fastly-Client-IP", "x-real-ip", "VIA", "x-forwarded-host", "x-original-for",
    };

    [Theory]
    [MemberData(nameof(ContractProxyHeaders))]
    public void Protected_mode_treats_a_request_with_a_proxy_header_as_not_loopback(string header)
    {
        foreach (var address in new[] { "127.0.0.1", "::1", "::ffff:127.0.0.1" })
        {
            var decision = Unkeyed.Decide(ApiScopes.Read, From(address, header: header));
            AssertRefused(decision, 401, "unauthorized");
            Assert.Contains("Auth:ApiKeys", decision.Refusal!.Error.Message);
            Assert.Contains("proxy", decision.Refusal.Error.Message);
            AssertRefused(Unkeyed.Decide(ApiScopes.Read, From(address, header: header, headerValue: "")), 401, "unauthorized");
        }
    }

    [Fact]
    public void Every_named_proxy_header_is_one()
    {
        foreach (var header in ProxyHeaders.Names)
            AssertRefused(Unkeyed.Decide(ApiScopes.Publish, From("127.0.0.1", header: header)), 401, "unauthorized");
    }

    [Theory]
    [InlineData("X-Request-ID")]
    [InlineData("User-Agent")]
    [InlineData("X-Forwarder")]
    [InlineData("Original-Host")]
    [InlineData("X-Via")]
    public void Other_headers_leave_a_loopback_caller_loopback(string header) =>
        Assert.Null(Unkeyed.Decide(ApiScopes.Admin, From("127.0.0.1", header: header)).Refusal);

    [Theory]
    [InlineData("localhost")]
    [InlineData("localhost:8080")]
    [InlineData("LocalHost:1")]
    [InlineData("app.localhost:3000")]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.1:8080")]
    [InlineData("127.0.0.5:8080")]
    [InlineData("127.255.255.254:80")]
    [InlineData("[::1]")]
    [InlineData("[::1]:80")]
    [InlineData("[::ffff:127.0.0.1]:8080")]
    public void Protected_mode_takes_a_loopback_host_with_any_port(string host)
    {
        Assert.True(LoopbackHosts.IsLoopback(host));
        Assert.Null(Unkeyed.Decide(ApiScopes.Admin, From("127.0.0.1", host: host)).Refusal);
    }

    [Theory]
    [InlineData("evil.example")]
    [InlineData("evil.example:8080")]
    [InlineData("127.0.0.1.nip.io")]
    [InlineData("127.0.0.1.nip.io:8080")]
    [InlineData("localhost.evil.example")]
    [InlineData("evillocalhost:8080")]
    [InlineData("10.0.0.5:8080")]
    [InlineData("0.0.0.0:8080")]
    [InlineData("[::]:8080")]
    [InlineData("[::2]:8080")]
    [InlineData("[fe80::1]:8080")]
    [InlineData("")]
    [InlineData(null)]
    public void Protected_mode_refuses_a_host_that_is_not_loopback_naming_the_setting(string? host)
    {
        Assert.False(LoopbackHosts.IsLoopback(host));
        var decision = Unkeyed.Decide(ApiScopes.Read, From("127.0.0.1", host: host));
        AssertRefused(decision, 401, "unauthorized");
        Assert.Contains("Auth:ApiKeys", decision.Refusal!.Error.Message);
        Assert.Contains("Host", decision.Refusal.Error.Message);
    }

    [Fact]
    public void With_keys_neither_a_proxy_header_nor_the_host_matters()
    {
        Assert.Null(Keyed.Decide(ApiScopes.Read, From("127.0.0.1", apiKey: ReadKey, host: "evil.example:8080", header: "X-Real-IP")).Refusal);
        AssertRefused(Keyed.Decide(ApiScopes.Read, From("127.0.0.1", host: "localhost")), 401, "unauthorized");
    }

    [Fact]
    public void Protected_mode_refuses_a_caller_without_an_address() =>
        AssertRefused(Unkeyed.Decide(ApiScopes.Read, new ApiRequest { Host = "localhost" }), 401, "unauthorized");

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    [InlineData("10.0.0.5")]
    [InlineData("2001:db8::7")]
    public void With_keys_every_address_presents_one(string address)
    {
        Assert.False(Keyed.ProtectedMode);
        AssertRefused(Keyed.Decide(ApiScopes.Read, From(address)), 401, "unauthorized");
        Assert.Null(Keyed.Decide(ApiScopes.Read, From(address, apiKey: ReadKey)).Refusal);
    }

    [Theory]
    [InlineData("publish-key-0123456788")] // one character off
    [InlineData("publish-key-012345678")] // a prefix
    [InlineData("publish-key-0123456789x")] // longer than any key
    [InlineData("PUBLISH-KEY-0123456789")]
    [InlineData("publisher")] // the name is not the key
    public void Unknown_key_gets_401(string key)
    {
        AssertRefused(Keyed.Decide(ApiScopes.Publish, From("10.0.0.5", apiKey: key)), 401, "unauthorized");
        AssertRefused(Keyed.Decide(ApiScopes.Publish, From("10.0.0.5", authorization: "Bearer " + key)), 401, "unauthorized");
    }

    [Fact]
    public void Key_without_the_scope_gets_403_and_is_still_named()
    {
        var decision = Keyed.Decide(ApiScopes.Read, From("2001:db8::7", apiKey: PublishKey));
        AssertRefused(decision, 403, "forbidden");
        Assert.Equal("publisher", decision.Caller!.Name);
        Assert.Contains("\"read\"", decision.Refusal!.Error.Message);
        AssertRefused(Keyed.Decide(ApiScopes.Publish, From("10.0.0.5", apiKey: ReadKey)), 403, "forbidden");
        AssertRefused(Keyed.Decide(ApiScopes.Impersonate, From("10.0.0.5", apiKey: PublishKey)), 403, "forbidden");
    }

    [Fact]
    public void Admin_implies_every_scope()
    {
        foreach (var scope in new[] { ApiScopes.Publish, ApiScopes.Read, ApiScopes.Impersonate, ApiScopes.Admin })
            Assert.Null(Keyed.Decide(scope, From("10.0.0.5", apiKey: AdminKey)).Refusal);
        Assert.Equal(ApiScopes.All, ApiAccess.ScopesOf(["admin"]));
        Assert.Equal(ApiScopes.Publish | ApiScopes.Impersonate, ApiAccess.ScopesOf(["publish", "impersonate"]));
    }

    [Theory]
    [InlineData("Bearer " + PublishKey)]
    [InlineData("bearer " + PublishKey)]
    [InlineData("  Bearer   " + PublishKey + " ")]
    public void Bearer_scheme_in_any_case_presents_the_key(string authorization)
    {
        var decision = Keyed.Decide(ApiScopes.Publish, From("10.0.0.5", authorization: authorization));
        Assert.Null(decision.Refusal);
        Assert.Equal("publisher", decision.Caller!.Name);
    }

    [Fact]
    public void Another_authorization_scheme_presents_no_key_and_leaves_x_api_key_to_decide()
    {
        AssertRefused(Keyed.Decide(ApiScopes.Publish, From("10.0.0.5", authorization: "Basic " + PublishKey)), 401, "unauthorized");
        Assert.Null(Keyed.Decide(ApiScopes.Publish, From("10.0.0.5", authorization: "Basic dXNlcjpwdw==", apiKey: PublishKey)).Refusal);
    }

    [Fact]
    public void Two_different_keys_get_401_and_the_same_key_twice_is_one()
    {
        AssertRefused(Keyed.Decide(ApiScopes.Read, From("10.0.0.5", authorization: "Bearer " + AdminKey, apiKey: ReadKey)),
            401, "unauthorized");
        AssertRefused(Keyed.Decide(ApiScopes.Read, From("10.0.0.5", apiKey: new StringValues([ReadKey, ReadKey]))),
            401, "unauthorized");
        Assert.Null(Keyed.Decide(ApiScopes.Read, From("10.0.0.5", authorization: "Bearer " + ReadKey, apiKey: ReadKey)).Refusal);
    }

    [Fact]
    public void Empty_key_headers_present_nothing()
    {
        AssertRefused(Keyed.Decide(ApiScopes.Read, From("10.0.0.5", authorization: "Bearer ", apiKey: "")), 401, "unauthorized");
        AssertRefused(Keyed.Decide(ApiScopes.Read, From("10.0.0.5", authorization: "Bearer")), 401, "unauthorized");
    }

    [Fact]
    public void A_key_longer_than_a_stack_buffer_still_matches()
    {
        var key = new string('k', 2000);
        var access = new ApiAccess([new ApiKeyOptions("long", key, ["read"])]);
        Assert.Null(access.Decide(ApiScopes.Read, From("10.0.0.5", apiKey: key)).Refusal);
        AssertRefused(access.Decide(ApiScopes.Read, From("10.0.0.5", apiKey: key[..^1] + "j")), 401, "unauthorized");
    }

    [Fact]
    public void Refusals_never_carry_the_key()
    {
        foreach (var request in new[]
                 {
                     From("10.0.0.5", apiKey: PublishKey + "0"), From("10.0.0.5", apiKey: ReadKey),
                     From("10.0.0.5", authorization: "Bearer " + AdminKey, apiKey: ReadKey),
                 })
        {
            var refusal = Keyed.Decide(ApiScopes.Publish, request).Refusal!;
            Assert.DoesNotContain("key-0123456789", refusal.Error.Message);
        }
    }

    [Fact]
    public void A_key_configured_as_its_digest_admits_the_key_and_nothing_else()
    {
        const string key = "sb_digest-configured-key-0123456789";
        var digest = ApiKeys.DigestForm(key);
        var access = new ApiAccess([new ApiKeyOptions("hashed", digest, ["read"])]);

        Assert.Equal("hashed", access.Decide(ApiScopes.Read, From("10.0.0.5", apiKey: key)).Caller?.Name);
        Assert.Null(access.Decide(ApiScopes.Read, From("10.0.0.5", authorization: "Bearer " + key)).Refusal);
        // Whoever reads the node's configuration has the digest, not the key: the digest is no key.
        AssertRefused(access.Decide(ApiScopes.Read, From("10.0.0.5", apiKey: digest)), 401, "unauthorized");
        AssertRefused(access.Decide(ApiScopes.Read, From("10.0.0.5", apiKey: digest["sha256:".Length..])), 401, "unauthorized");
        AssertRefused(access.Decide(ApiScopes.Read, From("10.0.0.5", apiKey: key[..^1] + "8")), 401, "unauthorized");
        AssertRefused(access.Decide(ApiScopes.Publish, From("10.0.0.5", apiKey: key)), 403, "forbidden");
    }

    [Fact]
    public void A_digest_in_upper_case_is_the_same_digest()
    {
        const string key = "sb_upper-case-digest-0123456789";
        var access = new ApiAccess([new ApiKeyOptions("hashed", ApiKeys.DigestForm(key).ToUpperInvariant(), ["read"])]);
        Assert.Null(access.Decide(ApiScopes.Read, From("10.0.0.5", apiKey: key)).Refusal);
    }

    [Fact]
    public void A_key_known_by_its_digest_may_be_as_long_as_any_key_and_no_longer_is_hashed()
    {
        var longest = new string('k', ApiKeys.MaxLength);
        var access = new ApiAccess([new ApiKeyOptions("hashed", ApiKeys.DigestForm(longest), ["read"])]);
        Assert.Null(access.Decide(ApiScopes.Read, From("10.0.0.5", apiKey: longest)).Refusal);
        AssertRefused(access.Decide(ApiScopes.Read, From("10.0.0.5", apiKey: longest + "k")), 401, "unauthorized");
    }

    [Fact]
    public void A_malformed_digest_given_in_code_is_refused_at_once() =>
        Assert.Throws<ArgumentException>(() => new ApiAccess([new ApiKeyOptions("bad", "sha256:abc", ["read"])]));
}

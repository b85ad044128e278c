using System.Net;
using Microsoft.Extensions.Primitives;
using Switchboard.Service.Auth;

namespace Switchboard.Service.Tests;

/// <summary>
/// The API's access rules without a network: what the integration tests cannot reach from loopback
/// (other addresses, IPv6, IPv4-mapped forms) and the edges of presenting a key.
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

    private static ApiRequest From(string address, StringValues authorization = default, StringValues apiKey = default,
        StringValues forwarded = default, StringValues forwardedFor = default) => new()
    {
        Remote = IPAddress.Parse(address),
        Authorization = authorization,
        ApiKey = apiKey,
        Forwarded = forwarded,
        ForwardedFor = forwardedFor,
    };

    private static void AssertRefused(ApiDecision decision, int status, string code)
    {
        Assert.False(decision.Granted);
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
            Assert.True(decision.Granted);
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

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    [InlineData("::ffff:127.0.0.1")]
    public void Protected_mode_treats_a_forwarded_request_as_not_loopback(string address)
    {
        AssertRefused(Unkeyed.Decide(ApiScopes.Read, From(address, forwardedFor: "203.0.113.9")), 401, "unauthorized");
        AssertRefused(Unkeyed.Decide(ApiScopes.Read, From(address, forwarded: "for=203.0.113.9")), 401, "unauthorized");
        AssertRefused(Unkeyed.Decide(ApiScopes.Read, From(address, forwardedFor: "")), 401, "unauthorized");
    }

    [Fact]
    public void Protected_mode_refuses_a_caller_without_an_address() =>
        AssertRefused(Unkeyed.Decide(ApiScopes.Read, new ApiRequest()), 401, "unauthorized");

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    [InlineData("10.0.0.5")]
    [InlineData("2001:db8::7")]
    public void With_keys_every_address_presents_one(string address)
    {
        Assert.False(Keyed.ProtectedMode);
        AssertRefused(Keyed.Decide(ApiScopes.Read, From(address)), 401, "unauthorized");
        Assert.True(Keyed.Decide(ApiScopes.Read, From(address, apiKey: ReadKey)).Granted);
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
            Assert.True(Keyed.Decide(scope, From("10.0.0.5", apiKey: AdminKey)).Granted);
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
        Assert.True(decision.Granted);
        Assert.Equal("publisher", decision.Caller!.Name);
    }

    [Fact]
    public void Another_authorization_scheme_presents_no_key_and_leaves_x_api_key_to_decide()
    {
        AssertRefused(Keyed.Decide(ApiScopes.Publish, From("10.0.0.5", authorization: "Basic " + PublishKey)), 401, "unauthorized");
        Assert.True(Keyed.Decide(ApiScopes.Publish, From("10.0.0.5", authorization: "Basic dXNlcjpwdw==", apiKey: PublishKey)).Granted);
    }

    [Fact]
    public void Two_different_keys_get_401_and_the_same_key_twice_is_one()
    {
        AssertRefused(Keyed.Decide(ApiScopes.Read, From("10.0.0.5", authorization: "Bearer " + AdminKey, apiKey: ReadKey)),
            401, "unauthorized");
        AssertRefused(Keyed.Decide(ApiScopes.Read, From("10.0.0.5", apiKey: new StringValues([ReadKey, ReadKey]))),
            401, "unauthorized");
        Assert.True(Keyed.Decide(ApiScopes.Read, From("10.0.0.5", authorization: "Bearer " + ReadKey, apiKey: ReadKey)).Granted);
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
        Assert.True(access.Decide(ApiScopes.Read, From("10.0.0.5", apiKey: key)).Granted);
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
}

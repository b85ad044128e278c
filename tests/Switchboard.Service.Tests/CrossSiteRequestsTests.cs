using Microsoft.AspNetCore.Http;
using Switchboard.Service.Auth;

namespace Switchboard.Service.Tests;

/// <summary>
/// The cross-site rule without a network (PROTOCOL.md, Identity and access): what a request that changes state must
/// carry, and what a browser says of where it comes from.
/// </summary>
public sealed class CrossSiteRequestsTests
{
    private const string Host = "127.0.0.1:5000";
    private const string Own = "http://127.0.0.1:5000";

    private static HttpRequest Request(string method = "POST", string? contentType = "application/json", string? fetchSite = null,
        string? origin = null, string? host = Host, string scheme = "http")
    {
        var request = new DefaultHttpContext().Request;
        request.Method = method;
        request.Scheme = scheme;
        if (host is not null)
            request.Host = new HostString(host);
        if (contentType is not null)
            request.Headers.ContentType = contentType;
        if (fetchSite is not null)
            request.Headers["Sec-Fetch-Site"] = fetchSite;
        if (origin is not null)
            request.Headers.Origin = origin;
        return request;
    }

    private static void AssertRefused(HttpRequest request, int status, string code)
    {
        var refusal = CrossSiteRequests.Refusal(request);
        Assert.NotNull(refusal);
        Assert.Equal((status, code), (refusal.Status, refusal.Error.Error));
        Assert.False(string.IsNullOrEmpty(refusal.Error.Message));
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    [InlineData("PATCH")]
    [InlineData("post")]
    public void A_change_without_a_content_type_gets_415(string method) =>
        AssertRefused(Request(method, contentType: null), 415, "unsupported_media_type");

    [Theory]
    [InlineData("GET")]
    [InlineData("HEAD")]
    [InlineData("OPTIONS")]
    public void A_request_that_changes_nothing_is_not_the_rules(string method)
    {
        Assert.False(CrossSiteRequests.ChangesState(method));
        Assert.Null(CrossSiteRequests.Refusal(Request(method, contentType: "text/plain", fetchSite: "cross-site", origin: "http://evil.example")));
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("application/json;charset=UTF-8")]
    [InlineData("Application/JSON")]
    public void Json_is_taken_in_any_case_with_parameters(string contentType) =>
        Assert.Null(CrossSiteRequests.Refusal(Request(contentType: contentType)));

    [Theory]
    [InlineData("text/plain")]
    [InlineData("text/plain; charset=utf-8")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("multipart/form-data; boundary=x")]
    [InlineData("application/jsonp")]
    [InlineData("application/json-patch+json")]
    [InlineData("application/problem+json")]
    [InlineData("text/json")]
    [InlineData("json")]
    [InlineData("")]
    public void Any_other_media_type_gets_415(string contentType)
    {
        foreach (var method in new[] { "POST", "PUT", "DELETE", "PATCH" })
            AssertRefused(Request(method, contentType: contentType), 415, "unsupported_media_type");
    }

    [Fact]
    public void Two_content_types_get_415()
    {
        var request = Request(contentType: null);
        request.Headers.ContentType = new(["application/json", "text/plain"]);
        AssertRefused(request, 415, "unsupported_media_type");
    }

    [Theory]
    [InlineData("same-origin")]
    [InlineData("none")]
    [InlineData("Same-Origin")]
    public void A_fetch_from_this_origin_or_from_no_page_is_taken(string fetchSite) =>
        Assert.Null(CrossSiteRequests.Refusal(Request(fetchSite: fetchSite)));

    [Theory]
    [InlineData("cross-site")]
    [InlineData("same-site")]
    [InlineData("")]
    [InlineData("something-new")]
    public void A_fetch_from_another_origin_gets_403(string fetchSite)
    {
        foreach (var method in new[] { "POST", "PUT", "DELETE", "PATCH" })
            AssertRefused(Request(method, fetchSite: fetchSite), 403, "forbidden_origin");
    }

    [Theory]
    [InlineData(Own, Host, "http")]
    [InlineData("HTTP://LOCALHOST:5000", "localhost:5000", "http")]
    [InlineData("http://[::1]:8080", "[::1]:8080", "http")]
    [InlineData("https://switchboard.example", "switchboard.example", "https")]
    public void The_nodes_own_origin_is_taken(string origin, string host, string scheme) =>
        Assert.Null(CrossSiteRequests.Refusal(Request(origin: origin, host: host, scheme: scheme, fetchSite: "same-origin")));

    [Theory]
    [InlineData("http://evil.example")]
    [InlineData("http://127.0.0.1:5001")]
    [InlineData("https://127.0.0.1:5000")]
    [InlineData("http://127.0.0.2:5000")]
    [InlineData("http://localhost:5000")]
    [InlineData("null")]
    [InlineData("")]
    public void Another_origin_gets_403(string origin) => AssertRefused(Request(origin: origin), 403, "forbidden_origin");

    [Fact]
    public void An_origin_without_a_host_to_compare_with_gets_403() =>
        AssertRefused(Request(origin: Own, host: null), 403, "forbidden_origin");

    [Fact]
    public void Where_a_request_comes_from_is_decided_before_its_media_type()
    {
        AssertRefused(Request(contentType: "text/plain", fetchSite: "cross-site"), 403, "forbidden_origin");
        AssertRefused(Request(contentType: "text/plain", origin: "http://evil.example"), 403, "forbidden_origin");
        AssertRefused(Request(contentType: "text/plain", fetchSite: "same-origin", origin: Own), 415, "unsupported_media_type");
    }
}

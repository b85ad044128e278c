using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;
using Switchboard.Service.Http;

namespace Switchboard.Service.Auth;

/// <summary>
/// What a web page must not make a visitor's browser do to the API (docs/security.md, Cross-site requests): a page may
/// send any site a POST whose body is <c>text/plain</c>, a form or multipart without asking it first (no CORS preflight),
/// and the browser adds the visitor's network position, loopback included. So a request that changes state is taken
/// only as <c>application/json</c>, which a page on another origin cannot send without a preflight this node never
/// grants, and not when the browser says it comes from another origin. Decided from the request alone, keys or not.
/// </summary>
public static class CrossSiteRequests
{
    public const string JsonMediaType = "application/json";

    private static readonly ApiRefusal FetchedCrossSite = new(new ApiError("forbidden_origin",
        "a request that changes state is not taken from a page of another origin (its Sec-Fetch-Site is neither " +
        "same-origin nor none)"), 403);
    private static readonly ApiRefusal ForeignOrigin = new(new ApiError("forbidden_origin",
        "a request that changes state is not taken from a page of another origin (its Origin is not this node's)"), 403);
    private static readonly ApiRefusal NotJson = new(new ApiError("unsupported_media_type",
        $"a request that changes state must have \"Content-Type: {JsonMediaType}\", also when it has no body"), 415);

    /// <summary>POST, PUT, DELETE and PATCH: the methods whose requests change state.</summary>
    public static bool ChangesState(string method) =>
        HttpMethods.IsPost(method) || HttpMethods.IsPut(method) || HttpMethods.IsDelete(method) || HttpMethods.IsPatch(method);

    /// <summary>
    /// Null when <paramref name="request"/> may go on: it does not change state, or it is JSON from no page or from
    /// this node's own origin. Where it comes from is decided first (403 <c>forbidden_origin</c>), then its media type
    /// (415 <c>unsupported_media_type</c>).
    /// </summary>
    public static ApiRefusal? Refusal(HttpRequest request)
    {
        if (!ChangesState(request.Method))
            return null;
        if (!AllSameOrigin(request.Headers["Sec-Fetch-Site"]))
            return FetchedCrossSite;
        if (!AllEqual(request.Headers.Origin, $"{request.Scheme}://{request.Host.Value}"))
            return ForeignOrigin;
        return IsJson(request.Headers.ContentType) ? null : NotJson;
    }

    // The browser's own word on where the request comes from; "none" is the visitor's own doing (a bookmark, the
    // address bar). "same-site" is refused too: another port or subdomain is another origin.
    private static bool AllSameOrigin(StringValues fetchSite)
    {
        foreach (var site in fetchSite)
        {
            var value = site.AsSpan().Trim();
            if (!value.Equals("same-origin", StringComparison.OrdinalIgnoreCase) && !value.Equals("none", StringComparison.OrdinalIgnoreCase))
                return false;
        }
        return true;
    }

    // The node's own origin is the scheme and the Host this request was sent with: the origin a page of this node has.
    private static bool AllEqual(StringValues origins, string own)
    {
        foreach (var origin in origins)
        {
            if (!string.Equals(origin?.Trim(), own, StringComparison.OrdinalIgnoreCase))
                return false;
        }
        return true;
    }

    // One Content-Type whose media type is application/json in any case; parameters (charset) are the sender's business.
    private static bool IsJson(StringValues contentType) =>
        contentType.Count == 1 && MediaTypeHeaderValue.TryParse(contentType[0], out var parsed)
        && parsed.MediaType.Equals(JsonMediaType, StringComparison.OrdinalIgnoreCase);
}

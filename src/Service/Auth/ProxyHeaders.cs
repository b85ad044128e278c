using Microsoft.AspNetCore.Http;

namespace Switchboard.Service.Auth;

/// <summary>
/// The headers a proxy adds to say whom it forwards (docs/security.md, Protected mode): a request carrying any of them
/// came through a proxy, whatever its socket peer, so protected mode does not take it for a loopback caller.
/// </summary>
public static class ProxyHeaders
{
    /// <summary>
    /// Every header whose name begins with one of these: <c>X-Forwarded-For</c>, <c>-Host</c>, <c>-Proto</c>, <c>-Port</c>,
    /// <c>-Prefix</c>, <c>-Server</c>, <c>-Ssl</c>, the bare <c>X-Forwarded</c>, and ASP.NET Core's own
    /// <c>X-Original-For</c>, <c>-Host</c>, <c>-Proto</c>, <c>-Prefix</c> (what ForwardedHeadersMiddleware leaves behind)
    /// and IIS's <c>X-Original-URL</c>.
    /// </summary>
    public static readonly IReadOnlyList<string> Prefixes = ["X-Forwarded", "X-Original-"];

    /// <summary>The other names, each a proxy's, CDN's or load balancer's way of naming the client it forwards.</summary>
    public static readonly IReadOnlyList<string> Names =
    [
        "Forwarded", // RFC 7239
        "Via", // RFC 9110, every HTTP proxy
        "X-Real-IP", // nginx, Traefik
        "X-Client-IP", // Apache, Heroku
        "True-Client-IP", // Akamai, Cloudflare
        "CF-Connecting-IP", // Cloudflare
        "CF-Connecting-IPv6",
        "X-Cluster-Client-IP", // Rackspace, Riverbed
        "Fastly-Client-IP", // Fastly
        "X-ProxyUser-IP", // Google
        "X-Envoy-External-Address", // Envoy, Istio
        "X-Azure-ClientIP", // Azure Front Door
        "X-Azure-SocketIP",
        "CloudFront-Viewer-Address", // Amazon CloudFront
        "X-Appengine-User-IP", // Google App Engine
    ];

    private static readonly HashSet<string> NameSet = new(Names, StringComparer.OrdinalIgnoreCase);

    /// <summary>Whether <paramref name="name"/> is a header a proxy adds; names compare in any case.</summary>
    public static bool IsProxyHeader(string name)
    {
        if (NameSet.Contains(name))
            return true;
        foreach (var prefix in Prefixes)
        {
            if (name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                return true;
        }
        return false;
    }

    /// <summary>The name of the first header of <paramref name="headers"/> that a proxy adds, or null when there is none.</summary>
    public static string? FirstIn(IHeaderDictionary headers)
    {
        foreach (var header in headers)
        {
            if (IsProxyHeader(header.Key))
                return header.Key;
        }
        return null;
    }
}

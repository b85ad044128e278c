using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;

namespace Switchboard.Service.RateLimiting;

/// <summary>Who a request counts against, per the configured identifier.</summary>
public static class ClientKey
{
    /// <summary>
    /// The client address as the limiter sees it: behind a trusted proxy, the right-most untrusted
    /// hop of X-Forwarded-For; IPv4-mapped IPv6 as IPv4; IPv6 clients grouped by their /64,
    /// since one host usually owns a whole /64.
    /// </summary>
    public static IPAddress Address(HttpContext context, IReadOnlyList<IPNetwork> trustedProxies)
    {
        var address = Normalize(context.Connection.RemoteIpAddress ?? IPAddress.None);
        if (trustedProxies.Count == 0 || !trustedProxies.Any(p => p.Contains(address)))
            return Group(address);
        // Walk X-Forwarded-For from the right: the first hop that is not a trusted proxy is the client.
        var hops = context.Request.Headers["X-Forwarded-For"].SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries));
        foreach (var hop in hops.Reverse())
        {
            if (!IPAddress.TryParse(hop, out var parsed))
                break;
            address = Normalize(parsed);
            if (!trustedProxies.Any(p => p.Contains(address)))
                break;
        }
        return Group(address);
    }

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    private static IPAddress Group(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
            return address;
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes);
    }

    /// <param name="route">The request's <see cref="RoutePath"/>, part of the key with Identifier=ip+route.</param>
    /// <param name="tokenSubject">The sub of the request's verified token (Auth:Jwt), if it has one.</param>
    public static string For(HttpContext context, RateLimitPolicy policy, string route, string? tokenSubject = null)
    {
        var options = policy.Options;
        var ip = Address(context, policy.TrustedProxies).ToString();
        return options.Identifier.ToLowerInvariant() switch
        {
            // Only a verified identity names a user: a claimed one (X-User-ID) would let any client spend another
            // user's bucket, or escape its own by naming someone new. Without one a request counts as its address.
            "user" when tokenSubject is not null => "user:" + tokenSubject,
            "user" when context.User.Identity is { IsAuthenticated: true, Name: { } name } => "user:" + name,
            "header" => context.Request.Headers[options.HeaderName].ToString() is { Length: > 0 } value
                ? "header:" + value
                : "ip:" + ip,
            "ip+route" => $"ip:{ip}|{route}",
            _ => "ip:" + ip,
        };
    }
}

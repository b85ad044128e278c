using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;

namespace Switchboard.Service.RateLimiting;

/// <summary>Who a request counts against, per the configured identifier.</summary>
public static class ClientKey
{
    /// <summary>
    /// The client address as the limiter sees it: IPv4-mapped IPv6 as IPv4, and IPv6 clients
    /// grouped by their /64, since one host usually owns a whole /64.
    /// </summary>
    public static IPAddress Address(HttpContext context)
    {
        var address = context.Connection.RemoteIpAddress ?? IPAddress.None;
        if (address.IsIPv4MappedToIPv6)
            return address.MapToIPv4();
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
            return address;
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes);
    }

    public static string For(HttpContext context, RateLimiterOptions options)
    {
        var ip = Address(context).ToString();
        return options.Identifier.ToLowerInvariant() switch
        {
            "user" => context.User.Identity?.IsAuthenticated == true && context.User.Identity.Name is { } name
                ? "user:" + name
                : context.Request.Headers["X-User-ID"].ToString() is { Length: > 0 } header ? "user:" + header : "ip:" + ip,
            "header" => context.Request.Headers[options.HeaderName].ToString() is { Length: > 0 } value
                ? "header:" + value
                : "ip:" + ip,
            "ip+route" => $"ip:{ip}|{context.Request.Path}",
            _ => "ip:" + ip,
        };
    }
}

using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;

namespace Switchboard.Service.Auth;

/// <summary>
/// Whether a request's <c>Host</c> names this machine's loopback. A page whose own name resolves to 127.0.0.1 (DNS
/// rebinding) reaches a loopback listener from the visitor's browser, but its requests carry that name as their
/// <c>Host</c>: only names that cannot be anyone's but loopback's are taken.
/// </summary>
public static class LoopbackHosts
{
    /// <summary>
    /// True for <c>localhost</c> and any <c>*.localhost</c> (RFC 6761 reserves them for loopback), an IPv4 address in
    /// 127.0.0.0/8 and <c>[::1]</c> (or <c>[::ffff:127.x.y.z]</c>), with or without a port; false for any other name,
    /// <c>127.0.0.1.nip.io</c> included, and for a missing or empty Host.
    /// </summary>
    public static bool IsLoopback(string? host)
    {
        if (string.IsNullOrEmpty(host))
            return false;
        var name = new HostString(host).Host;
        if (name.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || name.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
            return true;
        if (name.StartsWith('[') && name.EndsWith(']'))
            return IPAddress.TryParse(name.AsSpan(1, name.Length - 2), out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6
                   && IPAddress.IsLoopback(v6);
        return !name.Contains(':') && IPAddress.TryParse(name, out var v4) && v4.AddressFamily == AddressFamily.InterNetwork
               && IPAddress.IsLoopback(v4);
    }
}

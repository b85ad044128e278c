using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Switchboard.Streams;

namespace Switchboard.Service.Tests;

/// <summary>
/// The exceptions Kestrel's socket transport completes a connection's pipes with, as the hub's connections sort them: the
/// hub knows nothing of ASP.NET Core, so it goes by what these are built on, and this checks that it holds.
/// </summary>
public sealed class KestrelSocketFailuresTests
{
    [Fact]
    public void A_reset_the_transport_met_is_a_reset() =>
        Assert.Equal(SocketFailureKind.Reset, SocketFailures.KindOf(
            new ConnectionResetException("Connection reset by peer", new SocketException((int)SocketError.ConnectionReset))));

    [Fact]
    public void A_connection_aborted_by_the_application_or_the_server_is_an_abort()
    {
        Assert.Equal(SocketFailureKind.Aborted,
            SocketFailures.KindOf(new ConnectionAbortedException("The connection was aborted by the application.")));
        // Why the transport shut the socket when its send loop ended first.
        Assert.Equal(SocketFailureKind.Aborted,
            SocketFailures.KindOf(new ConnectionAbortedException("The Socket transport's send loop completed gracefully.")));
    }
}

using System.Net.Sockets;

namespace Switchboard.Streams.Tests;

/// <summary>
/// How the exceptions of a socket's pipes are sorted: what the peer or the network did, what this host did, and faults.
/// Kestrel's own exceptions (ConnectionResetException, ConnectionAbortedException) are sorted in the service's tests,
/// which see ASP.NET Core.
/// </summary>
public sealed class SocketFailuresTests
{
    [Theory]
    [InlineData(SocketError.ConnectionReset)]
    [InlineData(SocketError.Shutdown)] // a write after the peer's reset: EPIPE
    public void A_socket_the_peer_reset_is_a_reset(SocketError error) =>
        Assert.Equal(SocketFailureKind.Reset, SocketFailures.KindOf(new SocketException((int)error)));

    [Fact]
    public void A_reset_wrapped_by_the_transport_is_still_a_reset() =>
        Assert.Equal(SocketFailureKind.Reset, SocketFailures.KindOf(
            new IOException("Connection reset by peer", new SocketException((int)SocketError.ConnectionReset))));

    [Fact]
    public void ConnectionAborted_is_a_reset_on_windows_and_an_abort_on_this_host_elsewhere() =>
        Assert.Equal(OperatingSystem.IsWindows() ? SocketFailureKind.Reset : SocketFailureKind.Aborted,
            SocketFailures.KindOf(new SocketException((int)SocketError.ConnectionAborted)));

    [Theory]
    [InlineData(SocketError.OperationAborted)]
    [InlineData(SocketError.Interrupted)]
    public void A_socket_operation_cut_short_by_this_host_is_an_abort(SocketError error) =>
        Assert.Equal(SocketFailureKind.Aborted, SocketFailures.KindOf(new SocketException((int)error)));

    [Fact]
    public void A_disposed_socket_or_a_cancelled_operation_is_an_abort()
    {
        Assert.Equal(SocketFailureKind.Aborted, SocketFailures.KindOf(new ObjectDisposedException("Socket")));
        Assert.Equal(SocketFailureKind.Aborted, SocketFailures.KindOf(new OperationCanceledException()));
        Assert.Equal(SocketFailureKind.Aborted, SocketFailures.KindOf(new TaskCanceledException()));
        Assert.Equal(SocketFailureKind.Aborted, SocketFailures.KindOf(new IOException("write", new ObjectDisposedException("Socket"))));
    }

    [Fact]
    public void The_socket_s_own_error_decides_over_the_exception_around_it() =>
        Assert.Equal(SocketFailureKind.Reset, SocketFailures.KindOf(
            new OperationCanceledException("aborted", new SocketException((int)SocketError.ConnectionReset))));

    [Fact]
    public void Anything_else_is_unexpected()
    {
        Assert.Equal(SocketFailureKind.Unexpected,
            SocketFailures.KindOf(new InvalidOperationException("Concurrent reads or writes are not supported.")));
        Assert.Equal(SocketFailureKind.Unexpected, SocketFailures.KindOf(new IOException("disk on fire")));
        Assert.Equal(SocketFailureKind.Unexpected, SocketFailures.KindOf(new SocketException((int)SocketError.AccessDenied)));
        Assert.Equal(SocketFailureKind.Unexpected, SocketFailures.KindOf(
            new InvalidOperationException("wrapped", new NullReferenceException())));
    }

    // The node's counters keep one slot per kind, indexed by its value.
    [Fact]
    public void Every_kind_is_listed_in_the_order_of_its_value_with_its_own_label()
    {
        Assert.Equal(Enum.GetValues<SocketFailureKind>(), SocketFailures.Kinds);
        Assert.Equal(["reset", "aborted", "unexpected"], SocketFailures.Kinds.Select(SocketFailures.Label));
    }
}

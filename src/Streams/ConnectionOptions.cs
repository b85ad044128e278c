using Switchboard.Streams.Outbound;

namespace Switchboard.Streams;

/// <summary>What one connection graph needs to know, handed down from the service's settings.</summary>
public sealed record ConnectionOptions
{
    public int MessageBufferSize { get; init; } = 256;
    public OverflowPolicy Overflow { get; init; } = OverflowPolicy.Drop;
    public TimeSpan SendTimeout { get; init; } = TimeSpan.FromMilliseconds(50);
    public int MaxMessageSize { get; init; } = 512;

    /// <summary>Bytes gathered into one socket write.</summary>
    public int WriteBufferSize { get; init; } = 1024;

    /// <summary>
    /// When set, the connection's own graph sends pings and enforces the timeout (a keep-alive
    /// stage); when null, the node's ping scheduler does it for every connection.
    /// </summary>
    public KeepAliveOptions? KeepAlive { get; init; }

    /// <summary>
    /// How long, since a connection last caught up, its socket's pipe must have been full before
    /// MessageBufferSize applies: longer than the moments a busy node or client takes to be scheduled.
    /// </summary>
    public TimeSpan StallGrace { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How long a close handshake may take before the TCP connection is aborted.</summary>
    public TimeSpan CloseTimeout { get; init; } = TimeSpan.FromSeconds(5);
}

/// <summary>Ping every <paramref name="Interval"/>; close a connection silent for longer than <paramref name="Timeout"/>.</summary>
public sealed record KeepAliveOptions(TimeSpan Interval, TimeSpan Timeout);

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

    /// <summary>How long a close handshake may take before the TCP connection is aborted.</summary>
    public TimeSpan CloseTimeout { get; init; } = TimeSpan.FromSeconds(5);
}

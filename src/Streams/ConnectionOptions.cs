using Switchboard.Streams.Outbound;

namespace Switchboard.Streams;

/// <summary>What one connection graph needs to know, handed down from the service's settings.</summary>
/// <remarks>
/// The defaults are written here once; the service's settings (SwitchboardOptions) start from these constants, so
/// a graph built without settings and a node built from them agree.
/// </remarks>
public sealed record ConnectionOptions
{
    public const int DefaultMessageBufferSize = 256;
    /// <summary>64 KiB: an ordinary chat message with markup fits; SignalR takes 32 KB, Centrifugo 64 KB.</summary>
    public const int DefaultMaxMessageSize = 64 * 1024;
    public const int DefaultWriteBufferSize = 1024;
    public static readonly TimeSpan DefaultSendTimeout = TimeSpan.FromMilliseconds(50);

    public int MessageBufferSize { get; init; } = DefaultMessageBufferSize;
    public OverflowPolicy Overflow { get; init; } = OverflowPolicy.Drop;
    public TimeSpan SendTimeout { get; init; } = DefaultSendTimeout;
    public int MaxMessageSize { get; init; } = DefaultMaxMessageSize;

    /// <summary>
    /// The largest <c>refresh</c> frame, when above <see cref="MaxMessageSize"/>; 0 while the node takes no tokens. A refresh
    /// carries a whole token (an RS256 one is about 1 KB), which a client cannot make smaller.
    /// </summary>
    public int MaxRefreshSize { get; init; }

    /// <summary>What <see cref="MaxRefreshSize"/> is with tokens on: 8 KiB, the size of a request line a token also travels in.</summary>
    public const int TokenRefreshSize = 8 * 1024;

    /// <summary>
    /// What the socket side reads of one message before its type is known: a message past MaxMessageSize is judged
    /// only once whole, and only while refreshes may be larger.
    /// </summary>
    public int InboundLimit => Math.Max(MaxMessageSize, MaxRefreshSize);

    /// <summary>Whether a decoded message of <paramref name="size"/> bytes may be used: every type within MaxMessageSize.</summary>
    public bool Fits(int size, string? type) => size <= MaxMessageSize || (type == "refresh" && size <= MaxRefreshSize);

    /// <summary>Bytes gathered into one socket write.</summary>
    public int WriteBufferSize { get; init; } = DefaultWriteBufferSize;

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

using Switchboard.Streams;

namespace Switchboard.Actors.Hub;

/// <summary>The node-level settings the hub needs, handed down from the service's settings.</summary>
/// <remarks>The defaults are written here once; the service's settings (SwitchboardOptions) start from these constants.</remarks>
public sealed record HubOptions
{
    public const int DefaultMaxConnections = 100_000;
    public const int DefaultCompressionLevel = 1;

    public int MaxConnections { get; init; } = DefaultMaxConnections;

    /// <summary>How many host actors run the connection graphs.</summary>
    public int ConnectionHosts { get; init; } = Streams.Hosting.ConnectionHosts.DefaultCount;
    public ConnectionOptions Connection { get; init; } = new();

    /// <summary>Each connection's message rate, or null for none.</summary>
    public RateLimiting.Rate? MessageRate { get; init; }

    /// <summary>The deflate level used for connections that negotiate permessage-deflate.</summary>
    public int CompressionLevel { get; init; } = DefaultCompressionLevel;
}

namespace Switchboard.Service.Metrics;

/// <summary>
/// The Prometheus endpoint's settings (the <c>Metrics</c> configuration section, so <c>Metrics__RequireKey=true</c> as an
/// environment variable). Built and checked by <see cref="MetricsOptionsLoader"/>.
/// </summary>
public sealed record MetricsOptions
{
    public const string SectionName = "Metrics";

    /// <summary>Serve <c>GET /metrics</c> and time deliveries; false leaves both out (the node's counters stay, for /ws/stats).</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Scrapes present an API key with the <c>read</c> scope; false: open, as <c>/ws/health</c> is.</summary>
    public bool RequireKey { get; init; }

    /// <summary>One accepted message in this many is timed for <c>switchboard_delivery_seconds</c>; 0 times none.</summary>
    public int DeliverySampleEvery { get; init; } = 16;

    /// <summary>How often the sharding census asks this node's regions for their entity counts.</summary>
    public TimeSpan ShardingRefresh { get; init; } = TimeSpan.FromSeconds(5);
}

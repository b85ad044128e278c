using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Switchboard.Actors.Admin;
using Switchboard.Actors.Hooks;
using Switchboard.Actors.Hub;
using Switchboard.Actors.Namespaces;
using Switchboard.Service.Hooks;
using Switchboard.Service.Hosting;
using Switchboard.Service.RateLimiting;
using Switchboard.Service.Settings;
using Switchboard.Streams.Framing;

namespace Switchboard.Service.Admin;

/// <summary>
/// An operator's drain of this node: it stops taking upgrades at once (503 <c>draining</c>), closes its connections
/// with 1001 a batch at a time, so that the clients' reconnects reach the other nodes spread out rather than in one
/// storm, then stops the host, whose planned shutdown (<see cref="SwitchboardLifecycle"/>) leaves the cluster and exits 0.
/// </summary>
public sealed class NodeDrain(NodeState node, ConnectionHub hub, SwitchboardOptions options, IHostApplicationLifetime lifetime,
    ILogger<NodeDrain> logger)
{
    /// <summary>Connections closed at once; the next batch starts when these have closed or after <see cref="BatchPause"/>.</summary>
    public const int BatchSize = 500;

    public static readonly TimeSpan BatchPause = TimeSpan.FromMilliseconds(100);

    private int _started;

    /// <summary>Starts the drain and returns at once; false when this node already drains or is down.</summary>
    public bool Start()
    {
        if (node.IsDraining || Interlocked.Exchange(ref _started, 1) == 1)
            return false;
        node.Draining();
        _ = Task.Run(RunAsync);
        return true;
    }

    private async Task RunAsync()
    {
        try
        {
            var deadline = DateTime.UtcNow + options.ShutdownTimeout;
            var connections = await hub.ListAsync(options.ShutdownTimeout);
            logger.LogInformation("Draining: closing {Count} connections with 1001 in batches of {Batch}, then leaving the cluster",
                connections.Length, BatchSize);
            foreach (var batch in connections.Chunk(BatchSize))
            {
                foreach (var c in batch)
                    c.Connection.Close(CloseCode.GoingAway, "node draining");
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero)
                    break;
                await Task.WhenAny(Task.WhenAll(batch.Select(c => c.Connection.Completion)), Task.Delay(left));
                await Task.Delay(BatchPause);
            }
        }
        catch (Exception e)
        {
            logger.LogError(e, "Drain: closing the connections failed; the node stops anyway");
        }
        // The planned shutdown closes any connection left, leaves the cluster and exits 0.
        lifetime.StopApplication();
    }
}

/// <summary>The admin agent's host: the drain, the rate limiter, the namespace table and the hooks of this process.</summary>
public sealed class AdminHost(IServiceProvider services) : IAdminHost
{
    public bool Drain(string by) => services.GetRequiredService<NodeDrain>().Start();

    public NamespaceTable Namespaces => services.GetRequiredService<NamespaceBook>().Current;

    public IReadOnlyDictionary<HookKind, string> Hooks => HookTransports.Of(services);

    public HookStats HookStats => services.GetRequiredService<HookStats>();

    public bool ApplyRateLimit(string optionsJson, string by)
    {
        if (services.GetService<RateLimiter>() is not { } limiter)
            return false;
        try
        {
            limiter.Replace(JsonSerializer.Deserialize<RateLimiterOptions>(optionsJson) ?? new RateLimiterOptions());
            return true;
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            services.GetRequiredService<ILogger<AdminHost>>().LogError("Rate limiter settings from another node refused: {Problem}", e.Message);
            return false;
        }
    }
}

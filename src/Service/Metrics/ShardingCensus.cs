using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Switchboard.Actors.Routing;

namespace Switchboard.Service.Metrics;

/// <summary>
/// The entities this node's shard regions host, per type, asked of the regions every
/// <see cref="MetricsOptions.ShardingRefresh"/> and kept here, so that a scrape reads a number and never waits on an actor.
/// A region that does not answer in time keeps its last count.
/// </summary>
public sealed class ShardingCensus(IServiceProvider services, MetricsOptions options, ILogger<ShardingCensus> logger) : BackgroundService
{
    /// <summary>The entity types, by index: the admin API's names for the user and group regions.</summary>
    public static IReadOnlyList<string> Types { get; } = ["user", "group"];

    private readonly int[] _entities = new int[Types.Count];

    public int Entities(int typeIndex) => Volatile.Read(ref _entities[typeIndex]);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Enabled)
            return;
        using var timer = new PeriodicTimer(options.ShardingRefresh);
        try
        {
            var registry = services.GetRequiredService<IActorRegistry>();
            IActorRef[] regions = [await registry.GetAsync<UserBucketEntity>(stoppingToken), await registry.GetAsync<GroupEntity>(stoppingToken)];
            do
            {
                for (var i = 0; i < regions.Length; i++)
                    await CountAsync(regions[i], i, stoppingToken);
            } while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task CountAsync(IActorRef region, int typeIndex, CancellationToken stoppingToken)
    {
        try
        {
            var stats = await region.Ask<ShardRegionStats>(GetShardRegionStats.Instance, options.ShardingRefresh, stoppingToken);
            Volatile.Write(ref _entities[typeIndex], stats.Stats.Values.Sum());
        }
        catch (AskTimeoutException)
        {
            logger.LogDebug("The {Type} region did not report its entities in time; the last count stays", Types[typeIndex]);
        }
        // A count is not worth a node: a failed background service would stop the host.
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "The {Type} region's entities could not be counted; the last count stays", Types[typeIndex]);
        }
    }
}

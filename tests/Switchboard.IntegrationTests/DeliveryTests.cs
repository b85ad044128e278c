using Switchboard.IntegrationTests.Support;

namespace Switchboard.IntegrationTests;

/// <summary>
/// A client that reads as fast as the network delivers loses nothing, whatever the burst, from a node's
/// first second (cold code included), with the default settings: each test starts a node process of its own.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class DeliveryTests
{
    [Fact]
    public Task Ten_bursts_from_one_sender_all_arrive_in_order() => OnAFreshNodeAsync(Bursts.TenBurstsAsync);

    [Fact]
    public Task Twenty_senders_at_once_all_arrive_each_in_its_order() => OnAFreshNodeAsync(Bursts.TwentySendersAsync);

    /// <summary>Runs the traffic with sender and receiver on one freshly started node; it must drop nothing.</summary>
    private static async Task OnAFreshNodeAsync(Func<Uri, Uri, Task> traffic)
    {
        await using var node = ServiceProcess.Start();
        await node.WaitUntilHealthyAsync();
        await traffic(node.BaseUri, node.BaseUri);
        Assert.Equal(0, await Bursts.DroppedAsync(node.BaseUri));
    }
}

using Akka.Actor;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Actors.Routing;
using Switchboard.Service.Hosting;

namespace Switchboard.Service.Tests;

/// <summary>
/// The upgrade's side of the cluster-wide bound per user: what the user's entity answers decides, and an entity that does
/// not answer in time (its shard moving) admits the upgrade under the node's own count rather than locking the user out.
/// </summary>
public sealed class ClusterUserQuotaTests : IAsyncLifetime
{
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(200);
    private readonly ActorSystem _system = ActorSystem.Create("quota-tests");

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _system.Terminate();

    /// <summary>Stands in for the users' shard region: answers every reservation as told, or never.</summary>
    private sealed class Entity(bool? grants) : UntypedActor
    {
        protected override void OnReceive(object message)
        {
            if (message is UserProtocol.ReserveConnection reserve && grants is { } granted)
                Sender.Tell(new UserProtocol.Reservation(reserve.ConnectionId, granted));
        }
    }

    private ClusterUserQuota Quota(bool? grants) =>
        new(_system.ActorOf(Props.Create(() => new Entity(grants))), 2, NullLogger<ClusterUserQuota>.Instance, Short);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_entitys_answer_decides(bool grants)
    {
        var quota = Quota(grants);
        Assert.Equal(grants, await quota.TryReserveAsync("u", "c-1"));
        Assert.Equal(0, quota.Unanswered);
    }

    [Fact]
    public async Task An_entity_that_does_not_answer_in_time_admits_and_is_counted()
    {
        var quota = Quota(grants: null);
        Assert.True(await quota.TryReserveAsync("u", "c-1"));
        Assert.True(await quota.TryReserveAsync("u", "c-2"));
        Assert.Equal(2, quota.Unanswered);
    }
}

using Switchboard.Actors.Routing;

namespace Switchboard.Actors.Delivery.State;

/// <summary>
/// A partition's side of its users' leases (<see cref="UserLeases"/>): it takes the grants that come with deliveries, ends
/// the leases its users' entities take back, and keeps each lease's copy of its user's connections here in step with
/// opens and closes.
/// </summary>
internal sealed class PartitionLeases(UserLeases leases, PartitionConnections here)
{
    /// <summary>A grant came with a delivery: the user's lease, made with the connections here when it is the first; null for a user with none here.</summary>
    public UserLease? Granted(string? userId) =>
        userId is not null && here.IdsOf(userId) is not null ? leases.Find(userId) ?? Hold(userId) : null;

    /// <summary>One of the user's connections here opened or closed.</summary>
    public void Changed(string userId, bool lastOfUser)
    {
        if (lastOfUser)
            leases.Forget(userId);
        else if (leases.Find(userId) is not null)
            Hold(userId);
    }

    public void Revoke(string userId) => leases.Find(userId)?.Revoke();

    /// <summary>A bucket's entity starting anew knows no lease its predecessor gave: they end before it hears of a connection.</summary>
    public void RevokeBucket(int bucket)
    {
        foreach (var user in here.UsersIn(bucket))
            Revoke(user);
    }

    private UserLease Hold(string userId)
    {
        var lease = leases.Of(userId);
        lease.Hold(here.ConnectionsOf(userId));
        return lease;
    }
}

using Akka.Actor;
using Microsoft.Extensions.Logging;
using Switchboard.Actors.Routing;

namespace Switchboard.Service.Hosting;

/// <summary>
/// The bound on one user's connections across the whole cluster (WEBSOCKET_MAX_CONNECTIONS_PER_USER_SCOPE=cluster): before
/// an upgrade is answered, the user's bucket entity, the one place that knows every connection of the user on every node,
/// is asked to reserve a place for it (<see cref="UserProtocol.ReserveConnection"/>). One ask per upgrade; with the node
/// scope or no bound, this does not exist and no upgrade asks anything.
/// </summary>
/// <remarks>
/// An entity that does not answer within <see cref="Deadline"/> is moving (its shard is handed over in a rolling restart,
/// or its node was lost): the upgrade is then admitted under the node's own count, which <see cref="ClientQuotas"/> keeps
/// with the same bound whichever the scope. A user is never locked out while shards move, and the bound meanwhile is the
/// node one rather than none: at most the bound on each node, for those seconds (docs/connections.md).
/// </remarks>
public sealed class ClusterUserQuota(IActorRef users, int limit, ILogger<ClusterUserQuota> log, TimeSpan? deadline = null)
{
    /// <summary>How long an upgrade waits for the entity: a moment when it answers, a bounded wait while its shard moves.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(2);

    /// <summary>How often at most a line says that entities did not answer: a rolling restart may leave thousands unanswered.</summary>
    private static readonly TimeSpan LogEvery = TimeSpan.FromSeconds(10);

    private readonly TimeSpan _deadline = deadline ?? Deadline;
    private long _unanswered;
    private long _loggedAt = -(long)LogEvery.TotalMilliseconds;

    public int Limit => limit;

    /// <summary>Upgrades admitted under the node's count because the user's entity did not answer in time.</summary>
    public long Unanswered => Interlocked.Read(ref _unanswered);

    /// <summary>Whether the user may open the connection <paramref name="connectionId"/>; true too when nobody answered in time.</summary>
    public async ValueTask<bool> TryReserveAsync(string userId, string connectionId)
    {
        try
        {
            var answer = await users.Ask<UserProtocol.Reservation>(new UserProtocol.ReserveConnection(userId, connectionId, limit), _deadline);
            return answer.Granted;
        }
        catch (AskTimeoutException)
        {
            var unanswered = Interlocked.Increment(ref _unanswered);
            var now = Environment.TickCount64;
            var last = Interlocked.Read(ref _loggedAt);
            if (now - last >= LogEvery.TotalMilliseconds && Interlocked.CompareExchange(ref _loggedAt, now, last) == last)
                log.LogWarning("The entity of user {UserId} did not answer within {Deadline} s (its shard is moving?): the upgrade " +
                               "was admitted under this node's count; {Unanswered} so since the node started", userId,
                    _deadline.TotalSeconds, unanswered);
            return true;
        }
    }
}

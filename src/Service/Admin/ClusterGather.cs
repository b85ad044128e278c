using Akka.Actor;
using Akka.Cluster;

namespace Switchboard.Service.Admin;

/// <summary>
/// Asks one actor on every Up member at once, one message per node with one deadline (the pattern of
/// <c>/ws/stats?scope=cluster</c>): a node that does not answer in time is named among the missing, never waited for.
/// </summary>
public static class ClusterGather
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(5);

    /// <summary>A node's name as the admin API shows it: <c>host:port</c> of its cluster address.</summary>
    public static string NodeOf(Address address) => $"{address.Host}:{address.Port}";

    /// <summary>The Up members, optionally only the one named <paramref name="node"/> (<c>host:port</c>).</summary>
    public static IReadOnlyList<Member> UpMembers(ActorSystem system, string? node = null) =>
        Cluster.Get(system).State.Members
            .Where(m => m.Status == MemberStatus.Up && (node is null || NodeOf(m.Address) == node))
            .OrderBy(m => NodeOf(m.Address), StringComparer.Ordinal).ToList();

    public static async Task<(List<T> Answers, List<string> Missing)> AskAllAsync<T>(ActorSystem system, string path, object message,
        IReadOnlyList<Member>? members = null, TimeSpan? deadline = null)
    {
        members ??= UpMembers(system);
        var answers = await Task.WhenAll(members.Select(async m =>
        {
            try
            {
                return (m.Address, Answer: await system.ActorSelection(m.Address + path).Ask<T>(message, deadline ?? Deadline));
            }
            catch (Exception e) when (e is AskTimeoutException or ActorNotFoundException or TaskCanceledException)
            {
                return (m.Address, Answer: default(T));
            }
        }));
        return (answers.Where(a => a.Answer is not null).Select(a => a.Answer!).ToList(),
            answers.Where(a => a.Answer is null).Select(a => NodeOf(a.Address)).ToList());
    }
}

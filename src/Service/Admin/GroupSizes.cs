using Akka.Actor;
using Switchboard.Actors.Admin;
using Switchboard.Actors.Hub;
using Switchboard.Actors.Routing;
using Switchboard.Contracts;

namespace Switchboard.Service.Admin;

/// <summary>
/// The size of groups across the cluster. The counts come from each group's entity, which knows the group on every
/// node: a user with connections on two nodes is one user.
/// </summary>
public static class GroupSizes
{
    public static async Task<GroupSummary[]> OfAsync(ConnectionHub hub, IEnumerable<string> groups) =>
        await Task.WhenAll(groups.Select(async name =>
        {
            var members = await hub.Routing.Groups.Ask<GroupProtocol.Members>(new GroupProtocol.GetMembers(name), ClusterGather.Deadline);
            return new GroupSummary(name, members.Users.Count, members.Connections);
        }));

    /// <summary>
    /// The <paramref name="limit"/> largest groups by connections, largest first. Each node names only its own largest
    /// <paramref name="limit"/>, so the question stays small however many groups there are; the entities then count
    /// those few. A group spread thinly over every node can be missed, which a dashboard can live with.
    /// </summary>
    public static async Task<List<GroupSummary>> LargestAsync(ActorSystem system, ConnectionHub hub, int limit, TimeSpan deadline)
    {
        // A node that does not answer is named by the top sample beside this list, which asks it too.
        var (lists, _) = await ClusterGather.AskAllAsync<AdminProtocol.LargestGroups>(system, AdminEndpoints.DeliveryPath,
            new AdminProtocol.ListLargestGroups(limit), deadline: deadline);
        var candidates = lists.SelectMany(l => l.Groups).Distinct();
        var sizes = await OfAsync(hub, candidates);
        return sizes.Where(s => s.Connections > 0)
            .OrderByDescending(s => s.Connections).ThenBy(s => s.Group, StringComparer.Ordinal).Take(limit).ToList();
    }
}

using System.Text.Json;
using Akka.Actor;
using Switchboard.Actors.Hub;
using Switchboard.Actors.Namespaces;
using Switchboard.Actors.Routing;
using Switchboard.Contracts;

namespace Switchboard.Service.Admin;

/// <summary>
/// What the admin API shows of a group's presence, asked of the group's entity as the HTTP API asks (no connection, so
/// no membership check). The entity decides by its namespace's rules and answers <c>presence_off</c> without presence:
/// null here.
/// </summary>
public static class GroupPresence
{
    /// <summary>The group's users and connections as presence counts them; null when its namespace keeps no presence.</summary>
    public static async Task<PresenceCounts?> CountsAsync(ConnectionHub hub, string group, TimeSpan deadline) =>
        await AskAsync(hub, group, stats: true, deadline) is { } data
            ? JsonSerializer.Deserialize<PresenceCounts>(data, AdminJson.Options)
            : null;

    /// <summary>
    /// The first <paramref name="take"/> users of each of <paramref name="groups"/> whose namespace keeps presence, by
    /// this node's namespace table: a group without presence costs no question. A group whose entity does not answer
    /// within <paramref name="deadline"/>, or answers that presence is off after all (a reload not yet everywhere), is left out.
    /// </summary>
    public static async Task<List<GroupUsers>> FirstUsersAsync(ConnectionHub hub, NamespaceTable namespaces,
        IEnumerable<GroupSummary> groups, int take, TimeSpan deadline)
    {
        var asked = groups.Where(g => namespaces.For(g.Group).Presence).Select(async group =>
        {
            try
            {
                return await AskAsync(hub, group.Group, stats: false, deadline) is { } page
                    ? UsersOf(group, PresencePageUsers.Read(page, take))
                    : null;
            }
            catch (AskTimeoutException)
            {
                return null;
            }
        });
        return (await Task.WhenAll(asked)).OfType<GroupUsers>().ToList();
    }

    // A page that is not the whole list cannot count the rest; the group's size, asked a moment before, can.
    private static GroupUsers UsersOf(GroupSummary group, PresencePageUsers page)
    {
        var total = page.Complete ? page.Listed : Math.Max(page.Listed, group.Users);
        return new GroupUsers(group.Group, page.First, total - page.First.Count);
    }

    // The first page, or the counts: the data of the HTTP API's answer, null for presence_off.
    private static async Task<byte[]?> AskAsync(ConnectionHub hub, string group, bool stats, TimeSpan deadline)
    {
        var answer = await hub.Routing.Groups.Ask<GroupProtocol.PresenceAnswer>(
            replyTo => new GroupProtocol.GetPresence(group, stats, Cursor: null, ConnectionId: null, Id: default, replyTo),
            deadline, CancellationToken.None);
        return answer.Data;
    }
}

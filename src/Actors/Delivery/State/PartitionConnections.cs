using Switchboard.Actors.Admin;
using Switchboard.Actors.History;
using Switchboard.Actors.Hub;
using Switchboard.Actors.Routing;
using Switchboard.Streams;
using Switchboard.Streams.Outbound;

namespace Switchboard.Actors.Delivery.State;

/// <summary>
/// Who is connected to one <see cref="ConnectionPartition"/>, in which groups, and where each opened the streams it follows
/// (<see cref="StreamMark"/>): the only record of a node's connections. Plain state: the partition asks and acts; these answer with values.
/// </summary>
public sealed class PartitionConnections
{
    private readonly Dictionary<string, LocalConnection> _byId = new();
    private readonly Dictionary<string, IdSet> _idsOfUser = new();

    /// <summary>The users here by bucket, so that a starting user bucket entity gets its answer without a scan.</summary>
    private readonly Dictionary<int, HashSet<string>> _usersInBucket = new();

    private readonly Dictionary<string, HashSet<string>> _groupsOf = new();
    private readonly Dictionary<string, HashSet<WebSocketConnection>> _members = new();

    /// <summary>Where each connection opened the streams it follows (group null: its user's), with history on.</summary>
    private readonly Dictionary<(string ConnectionId, string? Group), StreamMark> _marks = new();

    public int Count => _byId.Count;

    public Dictionary<string, LocalConnection>.ValueCollection All => _byId.Values;

    public LocalConnection? Find(string connectionId) => _byId.GetValueOrDefault(connectionId);

    /// <summary>Adds a connection; true when it is its user's first here.</summary>
    public bool Add(LocalConnection local)
    {
        _byId[local.Id] = local;
        var firstOfUser = !_idsOfUser.TryGetValue(local.UserId, out var ids);
        if (firstOfUser)
        {
            _idsOfUser[local.UserId] = ids = new IdSet();
            var bucket = UserBuckets.Of(local.UserId);
            if (!_usersInBucket.TryGetValue(bucket, out var users))
                _usersInBucket[bucket] = users = [];
            users.Add(local.UserId);
        }
        ids!.Add(local.Id);
        return firstOfUser;
    }

    /// <summary>Removes a connection: whether it was here, whether it was its user's last, and the groups it was in.</summary>
    public (bool Removed, bool LastOfUser, IReadOnlyCollection<string> Groups) Remove(LocalConnection local)
    {
        if (!_byId.Remove(local.Id))
            return (false, false, []);
        var lastOfUser = false;
        if (_idsOfUser.TryGetValue(local.UserId, out var ids) && ids.Remove(local.Id) && ids.Count == 0)
        {
            lastOfUser = true;
            _idsOfUser.Remove(local.UserId);
            var bucket = UserBuckets.Of(local.UserId);
            if (_usersInBucket.TryGetValue(bucket, out var users) && users.Remove(local.UserId) && users.Count == 0)
                _usersInBucket.Remove(bucket);
        }
        _marks.Remove((local.Id, null));
        if (!_groupsOf.Remove(local.Id, out var groups))
            return (true, lastOfUser, []);
        foreach (var group in groups)
        {
            RemoveMember(group, local.Connection);
            _marks.Remove((local.Id, group));
        }
        return (true, lastOfUser, groups);
    }

    /// <summary>Makes the connection a member of <paramref name="group"/> unless it is in <paramref name="max"/> others already.</summary>
    public PartitionJoin Join(LocalConnection local, string group, int max)
    {
        if (!_groupsOf.TryGetValue(local.Id, out var groups))
            _groupsOf[local.Id] = groups = [];
        if (groups.Count >= max && !groups.Contains(group))
            return PartitionJoin.TooManyGroups;
        groups.Add(group);
        var firstHere = !_members.TryGetValue(group, out var members);
        if (firstHere)
            _members[group] = members = [];
        members!.Add(local.Connection);
        return firstHere ? PartitionJoin.FirstHere : PartitionJoin.Joined;
    }

    /// <summary>Ends a membership: null when the connection was not a member, else whether it was the group's last here.</summary>
    public bool? Leave(LocalConnection local, string group)
    {
        if (!_groupsOf.TryGetValue(local.Id, out var groups) || !groups.Remove(group))
            return null;
        _marks.Remove((local.Id, group));
        return RemoveMember(group, local.Connection);
    }

    /// <summary>
    /// The connection opened its user's stream (<paramref name="group"/> null) or a group's at <paramref name="position"/>:
    /// its mark, kept while it is here and, for a group, a member.
    /// </summary>
    public StreamMark Opened(string connectionId, string? group, StreamPosition position)
    {
        var mark = new StreamMark(position);
        if (group is null ? _byId.ContainsKey(connectionId) : _groupsOf.GetValueOrDefault(connectionId)?.Contains(group) == true)
            _marks[(connectionId, group)] = mark;
        return mark;
    }

    /// <summary>
    /// Whether <paramref name="frame"/>, one that <see cref="StreamMark.Weighs"/>, still goes to the connection in the stream
    /// of its user (<paramref name="group"/> null) or group. A resent copy goes to the user's or group's connections as they
    /// are now, and one may have opened the stream here after the first copy was numbered: resumed past it, the first copy
    /// having reached its connection on another node, or replayed it. That node's stamps are not this partition's
    /// (<see cref="DeliveredStamps"/>); the connection's mark tells. Without a mark (history off) everything goes.
    /// </summary>
    public bool StillGoes(string connectionId, string? group, OutboundFrame frame) =>
        !_marks.TryGetValue((connectionId, group), out var mark) || mark.StillGoes(frame);

    public HashSet<WebSocketConnection>? MembersOf(string group) => _members.GetValueOrDefault(group);

    /// <summary>The users of <paramref name="bucket"/> with connections here.</summary>
    public IReadOnlyCollection<string> UsersIn(int bucket) => _usersInBucket.TryGetValue(bucket, out var users) ? users : [];

    /// <summary>The user's connections here; null for a user with none.</summary>
    public IdSet? IdsOf(string userId) => _idsOfUser.GetValueOrDefault(userId);

    public WebSocketConnection[] ConnectionsOf(string userId) =>
        _idsOfUser.TryGetValue(userId, out var ids) ? ids.Select(id => _byId[id].Connection).ToArray() : [];

    /// <summary>The users of <paramref name="bucket"/> here and their connections, flattened: user, connection, user, connection...</summary>
    public string[] UsersOf(int bucket) => _usersInBucket.TryGetValue(bucket, out var users)
        ? users.SelectMany(user => _idsOfUser[user].SelectMany(id => new[] { user, id })).ToArray()
        : [];

    /// <summary>The group's members here, flattened: user, connection, user, connection...</summary>
    public string[] MembersFlattened(string group) => _members.TryGetValue(group, out var members)
        ? members.SelectMany(c => new[] { _byId[c.Id].UserId, c.Id }).ToArray()
        : [];

    /// <summary>The <c>info</c> of each of <see cref="MembersFlattened"/>' members, in its order; null when none has one.</summary>
    public byte[][]? MemberInfos(string group)
    {
        if (!_members.TryGetValue(group, out var members) || !members.Any(c => _byId[c.Id].Info is not null))
            return null;
        return members.Select(c => _byId[c.Id].Info ?? []).ToArray();
    }

    /// <summary>The connections a kick names: one by id (of the user, when one is named too), or every one of a user.</summary>
    public IReadOnlyList<LocalConnection> KickTargets(string? userId, string? connectionId)
    {
        if (connectionId is not null)
            return _byId.TryGetValue(connectionId, out var local) && (userId is null || local.UserId == userId) ? [local] : [];
        return userId is not null && _idsOfUser.TryGetValue(userId, out var ids) ? ids.Select(id => _byId[id]).ToList() : [];
    }

    /// <summary>A page of the groups with members here, by name, after <see cref="AdminProtocol.ListGroups.After"/>.</summary>
    public AdminProtocol.GroupList GroupListing(AdminProtocol.ListGroups list, string node)
    {
        var names = _members.Keys.AsEnumerable();
        if (list.After is { } after)
            names = names.Where(name => string.CompareOrdinal(name, after) > 0);
        var page = names.Order(StringComparer.Ordinal).Take(list.Limit + 1).ToArray();
        return new AdminProtocol.GroupList(node, page.Take(list.Limit).ToArray(), page.Length > list.Limit);
    }

    /// <summary>A page of connections, by id, after <see cref="AdminProtocol.ListConnections.After"/>.</summary>
    public AdminProtocol.ConnectionList Listing(AdminProtocol.ListConnections list, string node)
    {
        IEnumerable<string> ids = list.UserId is null
            ? _byId.Keys
            : _idsOfUser.TryGetValue(list.UserId, out var ofUser) ? ofUser : [];
        if (list.After is { } after)
            ids = ids.Where(id => string.CompareOrdinal(id, after) > 0);
        var page = ids.Order(StringComparer.Ordinal).Take(list.Limit + 1).ToList();
        var entries = page.Take(list.Limit).Select(id =>
        {
            var local = _byId[id];
            var c = local.Connection;
            return new AdminProtocol.ConnectionEntry(id, local.UserId, local.RemoteAddress, local.ConnectedAt.ToUnixTimeMilliseconds(),
                _groupsOf.TryGetValue(id, out var groups) ? groups.Order(StringComparer.Ordinal).ToArray() : [],
                c.MessagesIn, c.MessagesOut, c.Outbox.Depth);
        }).ToArray();
        return new AdminProtocol.ConnectionList(node, entries, page.Count > list.Limit);
    }

    /// <summary>Each group with members here and how many.</summary>
    public IEnumerable<(string Group, int Members)> GroupSizes() => _members.Select(g => (g.Key, g.Value.Count));

    private bool RemoveMember(string group, WebSocketConnection connection)
    {
        if (!_members.TryGetValue(group, out var members) || !members.Remove(connection) || members.Count > 0)
            return false;
        _members.Remove(group);
        return true;
    }
}

/// <summary>What a join did in a partition.</summary>
public enum PartitionJoin
{
    Joined,

    /// <summary>Joined, and the group had no other member in this partition.</summary>
    FirstHere,

    /// <summary>Refused: the connection is in MaxGroupsPerConnection groups already.</summary>
    TooManyGroups,
}

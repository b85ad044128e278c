using Akka.Actor;
using Switchboard.Actors.Delivery;
using Switchboard.Actors.History;
using Switchboard.Streams.Json;
using Switchboard.Streams.Outbound;
using static Switchboard.Actors.Routing.GroupProtocol;

namespace Switchboard.Actors.Routing.State;

/// <summary>
/// What a <see cref="GroupEntity"/> knows, apart from the actor: the group's exact membership (for operators) and how many
/// members each node has (for fan-out: one message per node with members, whatever the group's size), and what a message
/// to the group becomes. It answers with values; the entity sends, watches and passivates. The group's stream is its
/// <see cref="IStreamKeeper"/>'s.
/// </summary>
/// <param name="nodeNameOf">The name of the node a partition is on, as presence shows it.</param>
public sealed class GroupState(string group, Func<IActorRef, string>? nodeNameOf = null)
{
    private static readonly FrameError UnknownGroup = new("unknown_group", "the group has no members");

    private readonly Dictionary<string, GroupMember> _members = new();
    private readonly Dictionary<IActorRef, int> _membersOnNode = new();
    private readonly Func<IActorRef, string> _nodeNameOf = nodeNameOf ?? (node => node.Path.Address.ToString());

    /// <summary>Each user's connections in the group, for presence: its <c>first</c> and <c>last</c>.</summary>
    private readonly Dictionary<string, List<string>> _connectionsOfUser = new(StringComparer.Ordinal);

    /// <summary>The users in order, so that a page of presence starts at its cursor without walking the users before it.</summary>
    private readonly SortedSet<string> _users = new(StringComparer.Ordinal);

    public string Group => group;

    public bool HasMembers => _members.Count > 0;

    public int Connections => _members.Count;

    public int Users => _connectionsOfUser.Count;

    public bool IsMember(string connectionId) => _members.ContainsKey(connectionId);

    public IEnumerable<string> ConnectionIds => _members.Keys;

    /// <summary>Whether one more connection would pass <paramref name="maxMembers"/> (0: no bound).</summary>
    public bool IsFull(int maxMembers) => maxMembers > 0 && _members.Count >= maxMembers;

    public GroupMember? Find(string connectionId) => _members.GetValueOrDefault(connectionId);

    /// <summary>How many connections <paramref name="userId"/> has in the group.</summary>
    public int ConnectionsOf(string userId) => _connectionsOfUser.TryGetValue(userId, out var connections) ? connections.Count : 0;

    /// <summary>The nodes with members, each to get one message per group message (a struct enumerator: no allocation).</summary>
    public Dictionary<IActorRef, int>.KeyCollection Nodes => _membersOnNode.Keys;

    /// <summary>
    /// A connection joined. A resent copy only confirms: by then the entity knows the member (it took the first copy, or it
    /// started later and recovered the member), and the connection may have left since.
    /// </summary>
    public Joined Join(AddMember add)
    {
        if (add.Stamp is { Resent: true })
            return Joined.ResentCopy;
        return Add(add.ConnectionId, add.UserId, add.Node, add.Info) ? Joined.Added : Joined.AlreadyMember;
    }

    /// <summary>Ends a membership: who left and whether it was the user's last connection here; null when it was no member.</summary>
    public Departure? Leave(string connectionId)
    {
        if (!_members.Remove(connectionId, out var member))
            return null;
        var left = _membersOnNode[member.Node] - 1;
        if (left > 0)
            _membersOnNode[member.Node] = left;
        else
            _membersOnNode.Remove(member.Node);
        var connections = _connectionsOfUser[member.UserId];
        connections.Remove(connectionId);
        var last = connections.Count == 0;
        if (last)
        {
            _connectionsOfUser.Remove(member.UserId);
            _users.Remove(member.UserId);
        }
        return new Departure(connectionId, member, last);
    }

    /// <summary>Takes a node's answer to the entity's start (<see cref="RegistryProtocol"/>); true when it added a member.</summary>
    public bool Recover(RegistryProtocol.GroupFound found)
    {
        var added = false;
        for (var i = 0; i + 1 < found.Members.Length; i += 2)
        {
            var info = found.Infos is { } infos && i / 2 < infos.Length && infos[i / 2].Length > 0 ? infos[i / 2] : null;
            added |= Add(found.Members[i + 1], found.Members[i], found.Node, info);
        }
        return added;
    }

    /// <summary>The node left or crashed: its members are gone with it, and are returned.</summary>
    public List<Departure> NodeLost(IActorRef node)
    {
        List<string>? gone = null;
        foreach (var (connectionId, member) in _members)
        {
            if (member.Node.Equals(node))
                (gone ??= []).Add(connectionId);
        }
        var departures = new List<Departure>(gone?.Count ?? 0);
        foreach (var connectionId in gone ?? [])
        {
            if (Leave(connectionId) is { } departure)
                departures.Add(departure);
        }
        return departures;
    }

    /// <summary>What a message to the group becomes: without history and without members it is refused (<c>unknown_group</c>).</summary>
    public Dispatch Route(in Numbering numbering) => Dispatch.Of(numbering, HasMembers, UnknownGroup, group);

    /// <summary>The one message every node with members gets for <paramref name="frame"/>, its stamp naming how many nodes.</summary>
    public DeliveryProtocol.DeliverToGroup DeliveryOf(OutboundFrame frame, RelayStamp? stamp = null, long streamSeq = 0) =>
        new(group, frame, stamp?.RoutedTo(_membersOnNode.Count, streamSeq));

    /// <summary>
    /// The stream started anew here (<see cref="IStreamKeeper.StartIfNew"/>) at <paramref name="position"/>: the members
    /// following it hear the new epoch before its next message. Null without members.
    /// </summary>
    public OutboundFrame? StreamStarted(StreamPosition position) =>
        HasMembers ? ServerFrames.StreamReset(group, position.Epoch, position.Seq) : null;

    /// <summary>The answer to a member that opened the group's stream, from what the keeper read.</summary>
    public GroupStreamOpened Opened(AddMember add, StreamRead? read)
    {
        var opening = StreamOpening.Of(read, add.Resume);
        return new GroupStreamOpened(group, add.ConnectionId, opening.Position, opening.Replay, opening.Recovered);
    }

    /// <summary>The members by user, with how many connections each has, for operators.</summary>
    public Members Listing(StreamPosition? stream) => new(group,
        _users.Select(u => new Member(u, _connectionsOfUser[u].Count)).ToList(), _members.Count, stream);

    /// <summary>The entity may stop when it would lose nothing: no member, and its keeper holds nothing.</summary>
    public bool MayPassivate(IStreamKeeper history) => _members.Count == 0 && history.HoldsNothing;

    /// <summary>
    /// The <c>data</c> of a <c>presence</c> answer: up to <paramref name="pageSize"/> users after <paramref name="cursor"/>, in
    /// user-id order, each with its connections, their node and <c>info</c>; <c>complete</c>, or the <c>cursor</c> to go on from.
    /// </summary>
    public byte[] PresencePage(string? cursor, int pageSize) => PresenceJson.Page(this, cursor, pageSize);

    /// <summary>The <c>data</c> of a <c>presence_stats</c> answer: counted as members come and go, so it costs the same at any size.</summary>
    public byte[] PresenceStats() => PresenceJson.Stats(Users, Connections);

    internal IEnumerable<(string UserId, List<string> Connections)> UsersAfter(string? cursor)
    {
        IEnumerable<string> users = _users;
        if (cursor is not null)
        {
            if (_users.Count == 0 || string.CompareOrdinal(cursor, _users.Max) >= 0)
                yield break;
            users = _users.GetViewBetween(cursor, _users.Max!);
        }
        foreach (var user in users)
        {
            if (user != cursor)
                yield return (user, _connectionsOfUser[user]);
        }
    }

    internal GroupMember Member(string connectionId) => _members[connectionId];

    private bool Add(string connectionId, string userId, IActorRef node, byte[]? info)
    {
        if (!_members.TryAdd(connectionId, new GroupMember(userId, node, _nodeNameOf(node), info)))
            return false;
        _membersOnNode[node] = _membersOnNode.GetValueOrDefault(node) + 1;
        if (!_connectionsOfUser.TryGetValue(userId, out var connections))
        {
            _connectionsOfUser[userId] = connections = [];
            _users.Add(userId);
        }
        connections.Add(connectionId);
        return true;
    }
}

/// <summary>One connection in a group: its user, the partition that holds it, that partition's node, and its <c>info</c>.</summary>
public sealed record GroupMember(string UserId, IActorRef Node, string NodeName, byte[]? Info);

/// <summary>A connection that left a group, and whether it was its user's last there.</summary>
public sealed record Departure(string ConnectionId, GroupMember Member, bool Last);

/// <summary>What a join did to a group's membership.</summary>
public enum Joined
{
    Added,
    AlreadyMember,
    ResentCopy,
}

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
public sealed class GroupState(string group)
{
    private static readonly FrameError UnknownGroup = new("unknown_group", "the group has no members");

    private readonly Dictionary<string, (string UserId, IActorRef Node)> _members = new();
    private readonly Dictionary<IActorRef, int> _membersOnNode = new();

    public string Group => group;

    public bool HasMembers => _members.Count > 0;

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
        return Add(add.ConnectionId, add.UserId, add.Node) ? Joined.Added : Joined.AlreadyMember;
    }

    public void Leave(string connectionId)
    {
        if (!_members.Remove(connectionId, out var member))
            return;
        var left = _membersOnNode[member.Node] - 1;
        if (left > 0)
            _membersOnNode[member.Node] = left;
        else
            _membersOnNode.Remove(member.Node);
    }

    /// <summary>Takes a node's answer to the entity's start (<see cref="RegistryProtocol"/>); true when it added a member.</summary>
    public bool Recover(RegistryProtocol.GroupFound found)
    {
        var added = false;
        for (var i = 0; i + 1 < found.Members.Length; i += 2)
            added |= Add(found.Members[i + 1], found.Members[i], found.Node);
        return added;
    }

    /// <summary>The node left or crashed: its members are gone with it.</summary>
    public void NodeLost(IActorRef node)
    {
        List<string>? gone = null;
        foreach (var (connectionId, member) in _members)
        {
            if (member.Node.Equals(node))
                (gone ??= []).Add(connectionId);
        }
        foreach (var connectionId in gone ?? [])
            Leave(connectionId);
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
        _members.Values.GroupBy(m => m.UserId).Select(g => new Member(g.Key, g.Count())).OrderBy(m => m.UserId, StringComparer.Ordinal).ToList(),
        _members.Count, stream);

    /// <summary>The entity may stop when it would lose nothing: no member, and its keeper holds nothing.</summary>
    public bool MayPassivate(IStreamKeeper history) => _members.Count == 0 && history.HoldsNothing;

    private bool Add(string connectionId, string userId, IActorRef node)
    {
        if (!_members.TryAdd(connectionId, (userId, node)))
            return false;
        _membersOnNode[node] = _membersOnNode.GetValueOrDefault(node) + 1;
        return true;
    }
}

/// <summary>What a join did to a group's membership.</summary>
public enum Joined
{
    Added,
    AlreadyMember,
    ResentCopy,
}

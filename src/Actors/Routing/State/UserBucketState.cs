using Akka.Actor;
using Switchboard.Actors.History;
using Switchboard.Streams.Json;
using static Switchboard.Actors.Routing.UserProtocol;

namespace Switchboard.Actors.Routing.State;

/// <summary>
/// What a <see cref="UserBucketEntity"/> knows, apart from the actor: which connections each user of its bucket has and on
/// which node, the places reserved for connections about to open (<see cref="ConnectionReservations"/>), and what a
/// message to one of them becomes. It answers with values; the entity sends, watches and passivates. The users' streams
/// are its <see cref="IStreamKeeper"/>'s.
/// </summary>
public sealed class UserBucketState
{
    /// <summary>User id → its connections, each with the node's partition holding it.</summary>
    private readonly Dictionary<string, UserConnections> _connectionsOf = new();

    private readonly ConnectionReservations _reservations = new();

    public UserConnections? ConnectionsOf(string userId) => _connectionsOf.GetValueOrDefault(userId);

    /// <summary>Whether anyone follows the user's stream: an empty stream nobody follows is swept.</summary>
    public bool IsFollowed(string userId) => _connectionsOf.ContainsKey(userId);

    /// <summary>A connection of the user opened on <paramref name="node"/>; a repeat changes nothing, a move changes its node.</summary>
    public void Add(string userId, string connectionId, IActorRef node)
    {
        _reservations.Release(userId, connectionId); // its place, if it had one, is now the connection
        if (!_connectionsOf.TryGetValue(userId, out var connections))
            _connectionsOf[userId] = connections = new UserConnections();
        connections.Set(connectionId, node);
    }

    /// <summary>The connection closed, or its upgrade failed before it opened: its place, if it still had one, goes too.</summary>
    public void Remove(string userId, string connectionId)
    {
        _reservations.Release(userId, connectionId);
        if (_connectionsOf.TryGetValue(userId, out var connections) && connections.Remove(connectionId) && connections.Count == 0)
            _connectionsOf.Remove(userId);
    }

    /// <summary>
    /// Whether one more connection of the user may open, anywhere in the cluster, under <paramref name="limit"/>: its
    /// connections known here and the places not yet lapsed count. Granted, the place is held for
    /// <paramref name="connectionId"/> until it opens or lapses; a question repeated for a connection already counted is
    /// granted again without a second place.
    /// </summary>
    public bool Reserve(string userId, string connectionId, int limit, long now)
    {
        var connections = ConnectionsOf(userId);
        if (connections?.Contains(connectionId) == true || _reservations.Holds(userId, connectionId, now))
            return true;
        if ((connections?.Count ?? 0) + _reservations.Count(userId, now) >= limit)
            return false;
        _reservations.Hold(userId, connectionId, now);
        return true;
    }

    /// <summary>Forgets the places that lapsed; answers when the next one lapses (Environment.TickCount64), null when none is held.</summary>
    public long? ExpireReservations(long now) => _reservations.Expire(now);

    /// <summary>Takes a node's answer to the entity's start (<see cref="RegistryProtocol"/>); true when it holds connections here.</summary>
    public bool Recover(RegistryProtocol.UsersFound found)
    {
        for (var i = 0; i + 1 < found.Members.Length; i += 2)
            Add(found.Members[i], found.Members[i + 1], found.Node);
        return found.Members.Length > 0;
    }

    /// <summary>The node left or crashed: its connections are gone with it.</summary>
    public void NodeLost(IActorRef node)
    {
        List<string>? gone = null;
        foreach (var (userId, connections) in _connectionsOf)
        {
            connections.RemoveNode(node);
            if (connections.Count == 0)
                (gone ??= []).Add(userId);
        }
        foreach (var userId in gone ?? [])
            _connectionsOf.Remove(userId);
    }

    /// <summary>What a message to <paramref name="userId"/> becomes, and the <paramref name="connections"/> it goes to.</summary>
    public Dispatch Route(string userId, in Numbering numbering, out UserConnections? connections)
    {
        connections = ConnectionsOf(userId);
        return Dispatch.Of(numbering, connections is not null, refusalWithoutRecipients: null, group: null);
    }

    /// <summary>The answer to a connection that opened the user's stream, from what the keeper read.</summary>
    public static UserStreamOpened Opened(AddConnection add, StreamRead? read)
    {
        var opening = StreamOpening.Of(read, add.Resume);
        return new UserStreamOpened(add.ConnectionId, opening.Position, opening.Replay, opening.Recovered);
    }

    /// <summary>A receipt for the sender of a message the user confirmed; the sender may be in any bucket.</summary>
    public static Notify Receipt(string userId, StreamReceipt receipt) =>
        new(receipt.Sender, ServerFrames.Receipt(receipt.MessageId, userId, receipt.Seq));

    public Connections Describe(string userId, StreamRead? read)
    {
        var of = ConnectionsOf(userId);
        return new Connections(userId, of?.Count ?? 0, of?.NodeCount ?? 0, read?.Position, read?.DeliveredSeq ?? 0);
    }

    /// <summary>
    /// The entity may stop when it would lose nothing: nobody connected, no place held for a connection about to open, and
    /// its keeper holds nothing (no kept message, no call waiting for the store), so memory follows the live population and
    /// what history keeps.
    /// </summary>
    public bool MayPassivate(IStreamKeeper history) => _connectionsOf.Count == 0 && _reservations.IsEmpty && history.HoldsNothing;
}

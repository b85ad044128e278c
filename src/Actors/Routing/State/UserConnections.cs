using Akka.Actor;

namespace Switchboard.Actors.Routing.State;

/// <summary>
/// One user's connections in a <see cref="UserBucketState"/>, each with the partition of its node that holds it. Most users have one
/// connection: it is held in two fields, and a dictionary is made only for a second one, since a bucket entity holds an
/// entry for every connected user of its bucket.
/// </summary>
public sealed class UserConnections
{
    private string? _onlyId;
    private IActorRef? _onlyNode;
    private Dictionary<string, IActorRef>? _many;

    public int Count => _many?.Count ?? (_onlyId is null ? 0 : 1);

    public IEnumerable<KeyValuePair<string, IActorRef>> All => _many is not null
        ? _many
        : _onlyId is null ? [] : [KeyValuePair.Create(_onlyId, _onlyNode!)];

    public int NodeCount => _many is null ? Count : _many.Values.Distinct().Count();

    public bool Contains(string connectionId) => _many?.ContainsKey(connectionId) ?? _onlyId == connectionId;

    public void Set(string connectionId, IActorRef node)
    {
        if (_many is not null)
        {
            _many[connectionId] = node;
        }
        else if (_onlyId is null || _onlyId == connectionId)
        {
            (_onlyId, _onlyNode) = (connectionId, node);
        }
        else
        {
            _many = new Dictionary<string, IActorRef>(2) { [_onlyId] = _onlyNode!, [connectionId] = node };
            (_onlyId, _onlyNode) = (null, null);
        }
    }

    public bool Remove(string connectionId)
    {
        if (_many is not null)
            return _many.Remove(connectionId);
        if (_onlyId != connectionId)
            return false;
        (_onlyId, _onlyNode) = (null, null);
        return true;
    }

    /// <summary>Forgets every connection on <paramref name="node"/>.</summary>
    public void RemoveNode(IActorRef node)
    {
        if (_many is not null)
        {
            foreach (var id in _many.Where(e => e.Value.Equals(node)).Select(e => e.Key).ToList())
                _many.Remove(id);
        }
        else if (_onlyNode?.Equals(node) == true)
        {
            (_onlyId, _onlyNode) = (null, null);
        }
    }

    /// <summary>The node holding all of them, when one does; null when they are spread or there are none.</summary>
    public IActorRef? OnlyNode()
    {
        if (_many is null)
            return _onlyNode;
        IActorRef? only = null;
        foreach (var node in _many.Values)
        {
            if (only is null)
                only = node;
            else if (!only.Equals(node))
                return null;
        }
        return only;
    }

    public string[] Ids() => _many is null ? _onlyId is null ? [] : [_onlyId] : [.. _many.Keys];

    /// <summary>
    /// The connections by node, one entry per node: a message to the user is one delivery per entry. For a user spread over
    /// nodes; one on a single node is <see cref="OnlyNode"/> with <see cref="Ids"/>, without grouping.
    /// </summary>
    public IReadOnlyList<(IActorRef Node, string[] Ids)> PerNode()
    {
        var byNode = new Dictionary<IActorRef, List<string>>();
        foreach (var (id, node) in All)
        {
            if (!byNode.TryGetValue(node, out var ids))
                byNode[node] = ids = [];
            ids.Add(id);
        }
        var perNode = new List<(IActorRef, string[])>(byNode.Count);
        foreach (var (node, ids) in byNode)
            perNode.Add((node, ids.ToArray()));
        return perNode;
    }
}

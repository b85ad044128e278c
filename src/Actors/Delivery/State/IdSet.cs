using System.Collections;

namespace Switchboard.Actors.Delivery.State;

/// <summary>
/// A set of ids that holds a single one in a field and makes a <see cref="HashSet{T}"/> only for a second: a node keeps
/// one for every user it holds, and most users have one connection there.
/// </summary>
public sealed class IdSet : IEnumerable<string>
{
    private string? _one;
    private HashSet<string>? _many;

    public int Count => _many?.Count ?? (_one is null ? 0 : 1);

    public bool Add(string id)
    {
        if (_many is not null)
            return _many.Add(id);
        if (_one is null)
        {
            _one = id;
            return true;
        }
        if (_one == id)
            return false;
        _many = new HashSet<string>(StringComparer.Ordinal) { _one, id };
        _one = null;
        return true;
    }

    public bool Remove(string id)
    {
        if (_many is not null)
            return _many.Remove(id);
        if (_one != id)
            return false;
        _one = null;
        return true;
    }

    public IEnumerator<string> GetEnumerator()
    {
        if (_many is not null)
        {
            foreach (var id in _many)
                yield return id;
        }
        else if (_one is not null)
        {
            yield return _one;
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

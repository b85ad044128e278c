using Akka.Actor;

namespace Switchboard.Actors.Namespaces;

/// <summary>
/// The node's current <see cref="NamespaceTable"/>. The host replaces it when the configuration reloads; the table goes
/// out on the node's event stream so that the group entities living here apply it (each to itself) within moments.
/// </summary>
public sealed class NamespaceBook(NamespaceTable table)
{
    private NamespaceTable _current = table;

    public NamespaceTable Current => Volatile.Read(ref _current);

    /// <summary>Makes <paramref name="table"/> current and tells the actors of <paramref name="system"/> that subscribed.</summary>
    public void Replace(NamespaceTable table, ActorSystem? system)
    {
        Volatile.Write(ref _current, table);
        system?.EventStream.Publish(new NamespacesReloaded(table));
    }
}

/// <summary>On a node's event stream: the configuration reloaded and this is its namespace table now.</summary>
public sealed record NamespacesReloaded(NamespaceTable Table);

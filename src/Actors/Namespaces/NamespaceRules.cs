namespace Switchboard.Actors.Namespaces;

/// <summary>
/// The options of one namespace (PROTOCOL.md "Namespaces"), or of the groups outside every configured one. A null history
/// field takes the global setting.
/// </summary>
/// <param name="JoinHook">Joins ask the application's join hook first (docs/hooks.md).</param>
/// <param name="PublishHook">Client messages ask the application's publish hook first (docs/hooks.md).</param>
/// <param name="MaxMembers">Connections in one group, cluster-wide; 0 for no bound.</param>
public sealed record NamespaceRules(
    int? HistorySize = null,
    TimeSpan? HistoryTtl = null,
    bool Presence = false,
    bool PresenceEvents = false,
    ClientPublish ClientPublish = ClientPublish.Anyone,
    bool JoinHook = false,
    bool PublishHook = false,
    int MaxMembers = 0)
{
    public static readonly NamespaceRules Defaults = new();
}

using Akka.Actor;
using Microsoft.AspNetCore.Http;
using Switchboard.Actors.Admin;
using Switchboard.Actors.Namespaces;
using Switchboard.Contracts;
using Switchboard.Service.Http;

namespace Switchboard.Service.Admin;

/// <summary>
/// <c>GET admin/namespaces</c> and <c>GET admin/namespaces/{name}</c>: the namespace table each Up node has in force,
/// asked of every node's admin agent at once. Each node reads its own configuration, so the tables can differ (a file
/// edited on one node only, a reload that failed there); these routes are how an operator sees it. Read only: the
/// configuration is the one place a namespace is set.
/// </summary>
public static class NamespaceEndpoints
{
    public static async Task<IResult> ListAsync(ActorSystem system)
    {
        var (tables, missing) = await GatherAsync(system);
        var nodes = tables.Select(t => new NodeNamespaces(t.Node, t.Table.Fingerprint, t.Table.Strict, OptionsOf(t.Table.Default),
            new SortedDictionary<string, NamespaceOptions>(t.Table.Rules.ToDictionary(r => r.Key, r => OptionsOf(r.Value)),
                StringComparer.Ordinal))).ToList();
        return AdminEndpoints.Json(new NamespacesView(nodes, nodes.Select(n => n.Fingerprint).Distinct().Count() <= 1, missing));
    }

    public static async Task<IResult> ShowAsync(string name, ActorSystem system)
    {
        if (!NamespaceTable.IsValidName(name))
            return new ApiError("invalid_namespace",
                $"\"{name}\" cannot name a namespace: 1 to {NamespaceTable.MaxNameLength} of a-z, 0-9, _ and -").ToResult(400);
        var (tables, missing) = await GatherAsync(system);
        if (!tables.Any(t => t.Table.Rules.ContainsKey(name)))
            return new ApiError("unknown_namespace", $"no node configures the namespace \"{name}\"" +
                (missing.Count == 0 ? "" : $" (no answer from {string.Join(", ", missing)})")).ToResult(404);
        var nodes = tables.Select(t => new NodeNamespace(t.Node, t.Table.Fingerprint, t.Table.Strict,
            t.Table.Rules.TryGetValue(name, out var rules) ? OptionsOf(rules) : null)).ToList();
        return AdminEndpoints.Json(new NamespaceView(name, nodes, nodes.Select(n => n.Options).Distinct().Count() <= 1, missing));
    }

    // In the order of the members, by node name (ClusterGather.UpMembers).
    private static Task<(List<AdminProtocol.NamespacesLoaded> Answers, List<string> Missing)> GatherAsync(ActorSystem system) =>
        ClusterGather.AskAllAsync<AdminProtocol.NamespacesLoaded>(system, AdminAgent.Path, AdminProtocol.GetNamespaces.Instance);

    private static NamespaceOptions OptionsOf(NamespaceRules r) => new(r.HistorySize, r.HistoryTtl?.TotalSeconds, r.Presence,
        r.PresenceEvents, r.ClientPublish.ToString().ToLowerInvariant(), r.JoinHook, r.PublishHook, r.MaxMembers);
}

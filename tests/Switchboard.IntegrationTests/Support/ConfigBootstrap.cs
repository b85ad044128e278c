namespace Switchboard.IntegrationTests.Support;

/// <summary>
/// Node processes that find each other through Cluster Bootstrap with config discovery (CLUSTER_DISCOVERY=config): no
/// seeds; every node lists every node's management endpoint, and each is told its own remoting and management ports.
/// A restarted node (<see cref="ServiceProcess.StartAgain"/>) keeps its settings and so bootstraps again.
/// </summary>
public static class ConfigBootstrap
{
    /// <summary>
    /// Starts <paramref name="count"/> nodes in <paramref name="order"/> (node numbers from 1; 1, 2, 3… by default)
    /// without waiting between them, then waits until every node is healthy, counts all of them Up, and takes broadcasts.
    /// <paramref name="hosts"/> gives node i its remoting and management address (127.0.0.1 by default); the HTTP
    /// side stays on 127.0.0.1. <paramref name="settings"/> gives node i settings of its own, as variables. The list
    /// returned is in node order.
    /// </summary>
    public static async Task<List<ServiceProcess>> StartAsync(int count, IReadOnlyList<int>? order = null,
        Func<int, string>? hosts = null, Func<int, IDictionary<string, string>>? settings = null)
    {
        hosts ??= _ => "127.0.0.1";
        var remoting = Enumerable.Range(0, count).Select(_ => ServiceProcess.FreePort()).ToArray();
        var management = Enumerable.Range(0, count).Select(_ => ServiceProcess.FreePort()).ToArray();
        var endpoints = string.Join(",", management.Select((port, i) => $"{hosts(i)}:{port}"));
        var nodes = new ServiceProcess?[count];
        foreach (var number in order ?? Enumerable.Range(1, count).ToList())
        {
            var i = number - 1;
            nodes[i] = ServiceProcess.Start(new Dictionary<string, string>(settings?.Invoke(i) ?? new Dictionary<string, string>())
            {
                ["CLUSTER_DISCOVERY"] = "config",
                ["CLUSTER_DISCOVERY_ENDPOINTS"] = endpoints,
                ["CLUSTER_HOSTNAME"] = hosts(i),
                ["CLUSTER_PORT"] = remoting[i].ToString(),
                ["CLUSTER_MANAGEMENT_PORT"] = management[i].ToString(),
            });
        }
        var started = nodes.Select(n => n!).ToList();
        try
        {
            foreach (var node in started)
                await node.WaitUntilHealthyAsync();
            await ClusterTests.ThreeNodes.AllSeeAsync(started, count);
            await ClusterTests.ThreeNodes.BroadcastsReachEveryNodeAsync(started);
        }
        catch
        {
            foreach (var node in started)
                await node.DisposeAsync();
            throw;
        }
        return started;
    }

    /// <summary>The management endpoint a node was given (from its settings), as <c>http://host:port</c>.</summary>
    public static Uri ManagementUri(ServiceProcess node) =>
        new($"http://{node.Setting("CLUSTER_HOSTNAME")}:{node.Setting("CLUSTER_MANAGEMENT_PORT")}");
}

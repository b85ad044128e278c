using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Switchboard.Contracts;
using Switchboard.IntegrationTests.Support;

namespace Switchboard.IntegrationTests;

/// <summary>
/// Cluster Bootstrap with config discovery: three nodes that list each other's management endpoints and no seeds,
/// started 3, 1, 2 without waiting, form one cluster; the management endpoint answers bootstrap's route and nothing else.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterBootstrapTests(ClusterBootstrapTests.ConfigCluster cluster) : IClassFixture<ClusterBootstrapTests.ConfigCluster>
{
    /// <summary>Started once for the class. Node 3's remoting and management are on 127.0.0.3, the others' on 127.0.0.1.</summary>
    public sealed class ConfigCluster : IAsyncLifetime
    {
        public List<ServiceProcess> Nodes { get; } = [];

        public async Task InitializeAsync() =>
            Nodes.AddRange(await ConfigBootstrap.StartAsync(3, order: [3, 1, 2], hosts: i => i == 2 ? "127.0.0.3" : "127.0.0.1"));

        public async Task DisposeAsync()
        {
            foreach (var node in Nodes)
                await node.DisposeAsync();
        }
    }

    [Fact]
    public async Task Three_nodes_started_3_1_2_without_seeds_form_one_cluster_and_route_between_users_on_different_nodes()
    {
        var views = new List<ClusterView>();
        foreach (var node in cluster.Nodes)
            views.Add(await AdminApiClusterTests.GetAsync<ClusterView>(node, AdminRoutes.Cluster));
        var members = views[0].Members.Select(m => m.Address).ToList();
        Assert.Equal(3, members.Count);
        Assert.Equal(views.Select(v => v.Self).Order(), members.Order());
        Assert.All(views, v => Assert.Equal(members, v.Members.Select(m => m.Address)));
        Assert.All(views, v => Assert.All(v.Members, m => Assert.Equal("Up", m.Status)));
        Assert.Single(views.Select(v => v.Leader).Distinct());
        // One node formed the cluster, the other two joined it.
        Assert.Single(cluster.Nodes, n => n.Output.Contains("Initiating new cluster, self-joining"));
        Assert.Equal(2, cluster.Nodes.Count(n => n.Output.Contains("to existing cluster")));

        var (annId, benId) = ($"ann-{Guid.NewGuid():N}"[..12], $"ben-{Guid.NewGuid():N}"[..12]);
        await using var ann = await Client.ConnectAsync(new Uri($"ws://{cluster.Nodes[0].BaseUri.Authority}/ws?user_id={annId}"));
        await using var ben = await Client.ConnectAsync(new Uri($"ws://{cluster.Nodes[2].BaseUri.Authority}/ws?user_id={benId}"));
        await ClusterFailoverTests.WaitRegisteredAsync(cluster.Nodes[0], benId, 1);
        await ann.SendAsync($$"""{"type":"chat","to":"{{benId}}","data":"through bootstrap","id":1}""");
        Assert.Equal("ack", (await ann.ReceiveAsync()).GetProperty("type").GetString());
        var atBen = await ben.ReceiveAsync();
        Assert.Equal(("through bootstrap", annId), (atBen.GetProperty("data").GetString(), atBen.GetProperty("from").GetString()));
    }

    [Fact]
    public async Task The_management_endpoint_answers_bootstraps_seed_nodes_and_nothing_else()
    {
        using var http = new HttpClient();
        var node = cluster.Nodes[0];
        var management = ConfigBootstrap.ManagementUri(node);

        var seedNodes = await http.GetAsync(new Uri(management, "/bootstrap/seed-nodes"));
        Assert.Equal(HttpStatusCode.OK, seedNodes.StatusCode);
        var body = JsonDocument.Parse(await seedNodes.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(3, body.GetProperty("Nodes").GetArrayLength());
        Assert.Equal(node.Setting("CLUSTER_PORT"), body.GetProperty("SelfNode").GetProperty("Port").GetInt32().ToString());

        // Akka.Management's other default routes, Akka's cluster-HTTP routes and the service's own are not served here.
        foreach (var path in new[] { "/remote/address", "/cluster-client/receptionist", "/cluster/members", "/health/ready", "/ready",
                     "/alive", "/", "/ws/health", "/ws/admin/cluster", "/bootstrap/seed-nodes/../../ws/admin/cluster" })
            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri(management, path))).StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await http.PostAsync(new Uri(management, "/bootstrap/seed-nodes"), null)).StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await http.DeleteAsync(new Uri(management, "/bootstrap/seed-nodes"))).StatusCode);
        // And the client-facing port does not serve bootstrap's route.
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri(node.BaseUri, "/bootstrap/seed-nodes"))).StatusCode);
    }

    [Fact]
    public async Task The_management_endpoint_listens_on_the_remoting_address_only()
    {
        var third = ConfigBootstrap.ManagementUri(cluster.Nodes[2]);
        Assert.Equal("127.0.0.3", third.Host);
        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri(third, "/bootstrap/seed-nodes"))).StatusCode);
        using var elsewhere = new TcpClient();
        var refused = await Assert.ThrowsAsync<SocketException>(() => elsewhere.ConnectAsync(IPAddress.Loopback, third.Port));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
    }

    [Fact]
    public async Task A_node_whose_management_port_is_taken_says_so_and_exits_with_status_4()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        await using var node = ServiceProcess.Start(new Dictionary<string, string>
        {
            ["CLUSTER_DISCOVERY"] = "config",
            ["CLUSTER_DISCOVERY_ENDPOINTS"] = $"127.0.0.1:{port}",
            ["CLUSTER_REQUIRED_CONTACTS"] = "1",
            ["CLUSTER_MANAGEMENT_PORT"] = port.ToString(),
        });
        Assert.Equal(4, await node.WaitForExitAsync());
        Assert.Contains($"The management endpoint cannot listen on 127.0.0.1:{port} (CLUSTER_HOSTNAME, CLUSTER_MANAGEMENT_PORT)", node.Output);
        Assert.DoesNotContain("Unhandled exception", node.Output);
    }
}

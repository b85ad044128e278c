using System.Security.Cryptography;
using Switchboard.Service.Settings;
using Switchboard.Service.Tests.Deploy.Support;

namespace Switchboard.Service.Tests.Deploy;

/// <summary>
/// docker/compose.yaml against the service it runs: it parses, its nodes' variables are ones the service reads and
/// pass its checks, and their health checks and ports are those of the image (DeployedNodeTests asks the paths of a
/// real node).
/// </summary>
public sealed class ComposeFileTests
{
    /// <summary>What docker/init-env.sh writes into docker/.env: random keys of its form (ComposeTrialTests runs the script).</summary>
    private static readonly IReadOnlyDictionary<string, string> DotEnv = new Dictionary<string, string>
    {
        ["SWITCHBOARD_ADMIN_KEY"] = "sb_" + Convert.ToHexString(RandomNumberGenerator.GetBytes(20)),
        ["SWITCHBOARD_APP_KEY"] = "sb_" + Convert.ToHexString(RandomNumberGenerator.GetBytes(20)),
        ["GRAFANA_ADMIN_PASSWORD"] = Convert.ToHexString(RandomNumberGenerator.GetBytes(20)),
    };

    [Fact]
    public void Every_nodes_variable_is_one_the_service_reads_and_passes_its_checks()
    {
        var nodes = ComposeFile.Nodes();
        Assert.Equal(3, nodes.Count);
        foreach (var (name, service) in nodes)
        {
            var environment = ComposeFile.ImageEnvironment().Concat(ComposeFile.Environment(service))
                .GroupBy(v => v.Key).ToDictionary(g => g.Key, g => ComposeFile.Interpolate(g.Last().Value, DotEnv));
            Assert.Empty(ServiceVariables.Unread(environment));
            var (_, problems) = ServiceVariables.Load(environment);
            Assert.True(problems.Count == 0, $"{name}: {string.Join("; ", problems)}");
            Assert.Equal(name, environment["CLUSTER_HOSTNAME"]);
        }
    }

    [Fact]
    public void Health_checks_and_published_ports_are_the_images_http_port_and_its_probe()
    {
        var port = new Uri(ComposeFile.ImageEnvironment()["ASPNETCORE_URLS"].Replace("+", "localhost", StringComparison.Ordinal)).Port;
        foreach (var (_, service) in ComposeFile.Nodes())
        {
            var check = ComposeFile.HealthCheckUrl(service);
            Assert.Equal(("localhost", port, "/ws/health"), (check.Host, check.Port, check.AbsolutePath));
            var published = Assert.Single((List<object>)service["ports"]);
            Assert.EndsWith($":{port}", (string)published, StringComparison.Ordinal);
        }
    }

    /// <summary>The management port of cluster bootstrap when CLUSTER_MANAGEMENT_PORT is not set (docs/cluster.md).</summary>
    private const int DefaultManagementPort = 8558;

    [Fact]
    public void The_nodes_find_each_other_at_nodes_of_the_file_on_their_ports()
    {
        var nodes = ComposeFile.Nodes();
        foreach (var (name, service) in nodes)
        {
            var environment = ComposeFile.Environment(service);
            var options = SwitchboardOptionsLoader.Load(ServiceVariables.Configuration(environment));
            // Seeds name remoting addresses; bootstrap's configured endpoints name management ones.
            var contacts = options.ClusterSeeds.Select(s => (Address: new Uri(s), Port: options.ClusterPort))
                .Concat(environment.GetValueOrDefault("CLUSTER_DISCOVERY_ENDPOINTS", "")
                    .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Select(e => (Address: new Uri($"tcp://{e}"),
                        Port: int.Parse(environment.GetValueOrDefault("CLUSTER_MANAGEMENT_PORT", DefaultManagementPort.ToString())))))
                .ToList();
            Assert.True(contacts.Count > 0, $"{name} has neither seeds nor discovery endpoints: it would form a cluster of its own");
            Assert.All(contacts, contact =>
            {
                Assert.Contains(contact.Address.Host, nodes.Select(n => n.Name));
                Assert.Equal(contact.Port, contact.Address.Port);
            });
        }
    }
}

using Switchboard.Service.Settings;

namespace Switchboard.Service.Tests;

public sealed class ClusterBootstrapSettingsTests
{
    private static SwitchboardOptions Load(Dictionary<string, string?> values) => SettingsLoaderTests.Load(values);

    private static SwitchboardSettingsException Refused(Dictionary<string, string?> values) =>
        Assert.Throws<SwitchboardSettingsException>(() => Load(values));

    [Fact]
    public void By_default_a_node_finds_its_cluster_through_seeds_and_bootstrap_has_Akkas_defaults_but_two_contacts()
    {
        var o = Load([]);
        Assert.Equal("seeds", o.ClusterDiscovery);
        Assert.Empty(o.ClusterDiscoveryEndpoints);
        Assert.Equal((8558, 2), (o.ClusterManagementPort, o.ClusterRequiredContacts));
        Assert.Equal(("switchboard", "app.kubernetes.io/name={0}"), (o.ClusterDiscoveryServiceName, o.ClusterDiscoveryLabelSelector));
        Assert.Null(o.ClusterDiscoveryNamespace);
    }

    [Fact]
    public void Config_discovery_reads_its_endpoints_from_the_variables_or_the_Cluster_section()
    {
        var o = Load(new()
        {
            ["CLUSTER_DISCOVERY"] = "Config",
            ["CLUSTER_DISCOVERY_ENDPOINTS"] = "10.0.0.1:8558, node-2.example:8558,127.0.0.1:9000",
            ["Cluster:ManagementPort"] = "9000",
            ["Cluster:RequiredContacts"] = "3",
        });
        Assert.Equal("config", o.ClusterDiscovery);
        Assert.Equal(["10.0.0.1:8558", "node-2.example:8558", "127.0.0.1:9000"], o.ClusterDiscoveryEndpoints);
        Assert.Equal((9000, 3), (o.ClusterManagementPort, o.ClusterRequiredContacts));
    }

    [Fact]
    public void Kubernetes_discovery_reads_its_service_name_label_selector_and_namespace()
    {
        var o = Load(new()
        {
            ["Cluster:Discovery"] = "kubernetes",
            ["CLUSTER_DISCOVERY_SERVICE_NAME"] = "chat-hub",
            ["CLUSTER_DISCOVERY_LABEL_SELECTOR"] = "app={0},tier=realtime",
            ["Cluster:DiscoveryNamespace"] = "messaging",
        });
        Assert.Equal(("kubernetes", "chat-hub", "app={0},tier=realtime", "messaging"),
            (o.ClusterDiscovery, o.ClusterDiscoveryServiceName, o.ClusterDiscoveryLabelSelector, o.ClusterDiscoveryNamespace));
    }

    [Fact]
    public void A_bad_discovery_value_a_bad_endpoint_and_a_bad_management_port_are_reported_in_one_message()
    {
        var failure = Refused(new()
        {
            ["CLUSTER_DISCOVERY"] = "dns",
            ["Cluster:DiscoveryEndpoints"] = "127.0.0.1:8558,127.0.0.1,[::1]:8558,host:0,not a host:8558",
            ["CLUSTER_MANAGEMENT_PORT"] = "70000",
            ["CLUSTER_REQUIRED_CONTACTS"] = "0",
        });
        Assert.Equal(4, failure.Problems.Count);
        Assert.Contains("CLUSTER_DISCOVERY=\"dns\": must be seeds", failure.Message);
        Assert.Contains("Cluster:DiscoveryEndpoints=", failure.Message);
        Assert.Contains("\"127.0.0.1\", \"[::1]:8558\", \"host:0\", \"not a host:8558\" are not host:port", failure.Message);
        Assert.DoesNotContain("\"127.0.0.1:8558\",", failure.Message);
        Assert.Contains("ClusterManagementPort (CLUSTER_MANAGEMENT_PORT) = 70000: must be a port number", failure.Message);
        Assert.Contains("ClusterRequiredContacts (CLUSTER_REQUIRED_CONTACTS) = 0: must be at least 1", failure.Message);
    }

    [Fact]
    public void Config_without_endpoints_seeds_with_bootstrap_and_a_shared_port_are_reported_in_one_message()
    {
        var failure = Refused(new()
        {
            ["CLUSTER_DISCOVERY"] = "config",
            ["CLUSTER_SEEDS"] = "akka.tcp://switchboard@127.0.0.1:4053",
            ["CLUSTER_PORT"] = "8558",
        });
        Assert.Equal(3, failure.Problems.Count);
        Assert.Contains("ClusterDiscoveryEndpoints (CLUSTER_DISCOVERY_ENDPOINTS) must list the nodes' management endpoints", failure.Message);
        Assert.Contains("ClusterSeeds (CLUSTER_SEEDS) is set with ClusterDiscovery (CLUSTER_DISCOVERY) = config", failure.Message);
        Assert.Contains("ClusterManagementPort (CLUSTER_MANAGEMENT_PORT) = 8558 is also ClusterPort (CLUSTER_PORT)", failure.Message);
    }

    [Theory]
    [InlineData("seeds")]
    [InlineData("kubernetes")]
    public void Endpoints_that_the_discovery_does_not_read_are_refused(string discovery)
    {
        var failure = Refused(new() { ["CLUSTER_DISCOVERY"] = discovery, ["CLUSTER_DISCOVERY_ENDPOINTS"] = "127.0.0.1:8558" });
        Assert.Contains($"is set with ClusterDiscovery (CLUSTER_DISCOVERY) = {discovery}, which does not read it", Assert.Single(failure.Problems));
    }

    [Fact]
    public void Config_needs_at_least_as_many_endpoints_as_required_contacts_and_an_endpoint_listed_once()
    {
        var tooFew = Refused(new() { ["CLUSTER_DISCOVERY"] = "config", ["CLUSTER_DISCOVERY_ENDPOINTS"] = "127.0.0.1:8558" });
        Assert.Contains("ClusterRequiredContacts (CLUSTER_REQUIRED_CONTACTS) = 2 is more than the 1 endpoint(s)", Assert.Single(tooFew.Problems));
        Assert.Equal(1, Load(new()
        {
            ["CLUSTER_DISCOVERY"] = "config", ["CLUSTER_DISCOVERY_ENDPOINTS"] = "127.0.0.1:8558", ["CLUSTER_REQUIRED_CONTACTS"] = "1",
        }).ClusterRequiredContacts);

        var twice = Refused(new() { ["CLUSTER_DISCOVERY"] = "config", ["CLUSTER_DISCOVERY_ENDPOINTS"] = "a:1,b:1,A:1" });
        Assert.Contains("\"a:1\" listed more than once", Assert.Single(twice.Problems));
    }

    [Theory]
    [InlineData("CLUSTER_DISCOVERY_SERVICE_NAME", "-switchboard", "must be a Kubernetes label value")]
    [InlineData("CLUSTER_DISCOVERY_LABEL_SELECTOR", "app={1}", "has braces other than {0}")]
    [InlineData("CLUSTER_DISCOVERY_LABEL_SELECTOR", "", "is empty")]
    [InlineData("CLUSTER_DISCOVERY_NAMESPACE", "Messaging", "must be a Kubernetes namespace")]
    public void Bad_kubernetes_values_name_the_variable_and_the_rule(string variable, string value, string rule)
    {
        var failure = Refused(new() { ["CLUSTER_DISCOVERY"] = "kubernetes", [variable] = value });
        Assert.Contains($"{variable}=\"{value}\": {rule}", Assert.Single(failure.Problems));
    }

    [Fact]
    public void A_discovery_set_in_code_is_checked()
    {
        var failure = Assert.Throws<SwitchboardSettingsException>(() => SettingsLoaderTests.Load([], o => o with { ClusterDiscovery = "dns" }));
        Assert.Contains("ClusterDiscovery (CLUSTER_DISCOVERY) = dns: must be seeds", Assert.Single(failure.Problems));
    }
}

using Microsoft.Extensions.Configuration;
using Switchboard.Service.Settings;

namespace Switchboard.Service.Tests;

public sealed class SettingsLoaderTests
{
    // Environment variables reach IConfiguration as top-level keys; so do these.
    internal static SwitchboardOptions Load(Dictionary<string, string?> values, Func<SwitchboardOptions, SwitchboardOptions>? overlay = null) =>
        SwitchboardOptionsLoader.Load(new ConfigurationBuilder().AddInMemoryCollection(values).Build(), overlay);

    private static SwitchboardSettingsException Refused(Dictionary<string, string?> values) =>
        Assert.Throws<SwitchboardSettingsException>(() => Load(values));

    [Fact]
    public void Defaults_are_those_of_the_original_module()
    {
        var o = Load([]);
        Assert.Equal(100_000, o.MaxConnections);
        Assert.Equal(TimeSpan.FromSeconds(30), o.HeartbeatInterval);
        Assert.Equal(TimeSpan.FromSeconds(60), o.ConnectionTimeout);
        Assert.Equal(256, o.MessageBufferSize);
        Assert.Equal(1000, o.MessageQueueSize);
        Assert.False(o.EnableCompression);
        Assert.Equal(1, o.CompressionLevel);
        Assert.Equal(16, o.ShardCount);
        Assert.Equal(2 * Environment.ProcessorCount, o.ConnectionPartitions);
        Assert.True(o.DropOnFull);
        Assert.False(o.CloseOnBackpressure);
        Assert.Equal(TimeSpan.FromMilliseconds(50), o.SendTimeout);
        Assert.Equal(1024, o.ReadBufferSize);
        Assert.Equal(1024, o.WriteBufferSize);
        Assert.Equal(65536, o.MaxMessageSize);
        Assert.True(o.EnableGlobalPing);
        Assert.Equal(4 * Environment.ProcessorCount, o.ConnectionHosts);
        Assert.False(o.AllowClientBroadcast);
        Assert.Equal(128, o.MaxGroupsPerConnection);
        Assert.Equal((0, 0), (o.MaxConnectionsPerUser, o.MaxConnectionsPerIp));
        Assert.Equal("node", o.MaxConnectionsPerUserScope);
    }

    [Fact]
    public void Every_variable_sets_its_setting()
    {
        var o = Load(new()
        {
            ["WEBSOCKET_MAX_CONNECTIONS"] = "5000",
            ["WEBSOCKET_HEARTBEAT_INTERVAL"] = "10",
            ["WEBSOCKET_CONNECTION_TIMEOUT"] = "25.5",
            ["WEBSOCKET_MESSAGE_BUFFER_SIZE"] = "64",
            ["WEBSOCKET_MESSAGE_QUEUE_SIZE"] = "200",
            ["WEBSOCKET_ENABLE_COMPRESSION"] = "1",
            ["WEBSOCKET_COMPRESSION_LEVEL"] = "-2",
            ["WEBSOCKET_SHARD_COUNT"] = "8",
            ["WEBSOCKET_CONNECTION_PARTITIONS"] = "4",
            ["WEBSOCKET_DROP_ON_FULL"] = "0",
            ["WEBSOCKET_CLOSE_ON_BACKPRESSURE"] = "true",
            ["WEBSOCKET_SEND_TIMEOUT_MS"] = "250",
            ["WEBSOCKET_READ_BUFFER_SIZE"] = "4096",
            ["WEBSOCKET_WRITE_BUFFER_SIZE"] = "8192",
            ["WEBSOCKET_MAX_MESSAGE_SIZE"] = "131072",
            ["WEBSOCKET_ENABLE_GLOBAL_PING"] = "false",
            ["WEBSOCKET_CONNECTION_HOSTS"] = "3",
            ["WEBSOCKET_ALLOW_CLIENT_BROADCAST"] = "TRUE",
            ["WEBSOCKET_SHUTDOWN_TIMEOUT"] = "3",
            ["WEBSOCKET_MAX_GROUPS_PER_CONNECTION"] = "7",
            ["WEBSOCKET_MAX_CONNECTIONS_PER_USER"] = "5",
            ["WEBSOCKET_MAX_CONNECTIONS_PER_IP"] = "50",
        });
        Assert.Equal(5000, o.MaxConnections);
        Assert.Equal(TimeSpan.FromSeconds(10), o.HeartbeatInterval);
        Assert.Equal(TimeSpan.FromSeconds(25.5), o.ConnectionTimeout);
        Assert.Equal(64, o.MessageBufferSize);
        Assert.Equal(200, o.MessageQueueSize);
        Assert.True(o.EnableCompression);
        Assert.Equal(-2, o.CompressionLevel);
        Assert.Equal(8, o.ShardCount);
        Assert.Equal(4, o.ConnectionPartitions);
        Assert.False(o.DropOnFull);
        Assert.True(o.CloseOnBackpressure);
        Assert.Equal(TimeSpan.FromMilliseconds(250), o.SendTimeout);
        Assert.Equal(4096, o.ReadBufferSize);
        Assert.Equal(8192, o.WriteBufferSize);
        Assert.Equal(131072, o.MaxMessageSize);
        Assert.False(o.EnableGlobalPing);
        Assert.Equal(3, o.ConnectionHosts);
        Assert.True(o.AllowClientBroadcast);
        Assert.Equal(TimeSpan.FromSeconds(3), o.ShutdownTimeout);
        Assert.Equal((7, 5, 50), (o.MaxGroupsPerConnection, o.MaxConnectionsPerUser, o.MaxConnectionsPerIp));
    }

    [Theory]
    [InlineData("1", true)]
    [InlineData("0", false)]
    [InlineData("true", true)]
    [InlineData("FALSE", false)]
    [InlineData("True", true)]
    [InlineData(" false ", false)]
    public void Booleans_accept_1_0_true_false_in_any_case(string value, bool expected) =>
        Assert.Equal(expected, Load(new() { ["WEBSOCKET_ENABLE_COMPRESSION"] = value }).EnableCompression);

    [Fact]
    public void Section_values_are_read_under_WebSocket()
    {
        var o = Load(new() { ["WebSocket:MaxConnections"] = "42", ["WebSocket:SendTimeoutMs"] = "9" });
        Assert.Equal(42, o.MaxConnections);
        Assert.Equal(TimeSpan.FromMilliseconds(9), o.SendTimeout);
    }

    [Fact]
    public void Variables_override_the_section_and_code_overrides_both()
    {
        var values = new Dictionary<string, string?>
        {
            ["WebSocket:MaxConnections"] = "10",
            ["WebSocket:MessageBufferSize"] = "11",
            ["WebSocket:ShardCount"] = "12",
            ["WEBSOCKET_MESSAGE_BUFFER_SIZE"] = "21",
            ["WEBSOCKET_SHARD_COUNT"] = "22",
        };
        var o = Load(values, o => o with { ShardCount = 33 });
        Assert.Equal(10, o.MaxConnections);
        Assert.Equal(21, o.MessageBufferSize);
        Assert.Equal(33, o.ShardCount);
    }

    [Fact]
    public void Code_overlay_keeps_every_field_it_does_not_name()
    {
        var values = new Dictionary<string, string?> { ["WEBSOCKET_MAX_MESSAGE_SIZE"] = "2048", ["WEBSOCKET_DROP_ON_FULL"] = "0" };
        var baseline = Load(values);
        var merged = Load(values, o => o with { ConnectionPartitions = 3 });
        Assert.Equal(baseline with { ConnectionPartitions = 3 }, merged);
        Assert.Equal(2048, merged.MaxMessageSize);
        Assert.False(merged.DropOnFull);
    }

    [Theory]
    [InlineData("WEBSOCKET_MAX_CONNECTIONS", "abc", "not a whole number")]
    [InlineData("WEBSOCKET_MAX_CONNECTIONS", "1.5", "not a whole number")]
    [InlineData("WEBSOCKET_DROP_ON_FULL", "yes", "not a boolean")]
    [InlineData("WEBSOCKET_HEARTBEAT_INTERVAL", "soon", "not a number of seconds")]
    [InlineData("WEBSOCKET_SEND_TIMEOUT_MS", "99999999999", "not a whole number")]
    public void Unparsable_value_names_the_variable_and_the_value(string variable, string value, string problem)
    {
        var message = Refused(new() { [variable] = value }).Message;
        Assert.Contains($"{variable}=\"{value}\"", message);
        Assert.Contains(problem, message);
    }

    [Theory]
    [InlineData("WEBSOCKET_MAX_CONNECTIONS_PER_USER_SCOPE", "Cluster", "cluster")]
    [InlineData("WEBSOCKET_MAX_CONNECTIONS_PER_USER_SCOPE", " node ", "node")]
    [InlineData("WebSocket:MaxConnectionsPerUserScope", "CLUSTER", "cluster")]
    public void The_per_user_bound_holds_on_each_node_or_across_the_cluster(string source, string value, string scope) =>
        Assert.Equal(scope, Load(new() { [source] = value }).MaxConnectionsPerUserScope);

    [Theory]
    [InlineData("WEBSOCKET_MAX_CONNECTIONS_PER_USER_SCOPE", "global")]
    [InlineData("WEBSOCKET_MAX_CONNECTIONS_PER_USER_SCOPE", "1")]
    [InlineData("WebSocket:MaxConnectionsPerUserScope", "")]
    public void A_per_user_scope_other_than_node_or_cluster_stops_the_start_naming_source_and_value(string source, string value)
    {
        var failure = Refused(new() { [source] = value, ["WEBSOCKET_MAX_CONNECTIONS_PER_USER"] = "2" });
        Assert.Equal($"{source}=\"{value}\": must be node (the bound holds on each node) or cluster (across every node)",
            Assert.Single(failure.Problems));
    }

    [Fact]
    public void Cluster_scope_without_a_bound_is_allowed_and_a_scope_set_in_code_is_checked()
    {
        var o = Load(new() { ["WEBSOCKET_MAX_CONNECTIONS_PER_USER_SCOPE"] = "cluster", ["WEBSOCKET_MAX_CONNECTIONS_PER_USER"] = "0" });
        Assert.Equal(("cluster", 0), (o.MaxConnectionsPerUserScope, o.MaxConnectionsPerUser));
        var failure = Assert.Throws<SwitchboardSettingsException>(() => Load([], o => o with { MaxConnectionsPerUserScope = "everywhere" }));
        Assert.Contains("MaxConnectionsPerUserScope (WEBSOCKET_MAX_CONNECTIONS_PER_USER_SCOPE) = everywhere: must be node", failure.Message);
    }

    [Fact]
    public void Message_rate_uses_the_rate_grammar()
    {
        Assert.Equal("100-S", Load(new() { ["WEBSOCKET_MESSAGE_RATE"] = "100-s" }).MessageRate);
        var message = Refused(new() { ["WEBSOCKET_MESSAGE_RATE"] = "100/s" }).Message;
        Assert.Contains("WEBSOCKET_MESSAGE_RATE=\"100/s\"", message);
    }

    [Fact]
    public void Unparsable_section_value_names_its_key()
    {
        var message = Refused(new() { ["WebSocket:ShardCount"] = "many" }).Message;
        Assert.Contains("WebSocket:ShardCount=\"many\"", message);
    }

    [Fact]
    public void A_value_that_does_not_parse_and_one_out_of_range_are_reported_in_one_start()
    {
        var problems = Refused(new() { ["WEBSOCKET_SHARD_COUNT"] = "many", ["WEBSOCKET_MAX_MESSAGE_SIZE"] = "0",
            ["WEBSOCKET_HEARTBEAT_INTERVAL"] = "soon", ["WEBSOCKET_CONNECTION_TIMEOUT"] = "10" }).Problems;
        Assert.Contains(problems, p => p.Contains("WEBSOCKET_SHARD_COUNT=\"many\""));
        Assert.Contains(problems, p => p.Contains("WEBSOCKET_MAX_MESSAGE_SIZE") && p.Contains("= 0"));
        Assert.Contains(problems, p => p.Contains("WEBSOCKET_HEARTBEAT_INTERVAL=\"soon\""));
        // The timeout's rule would judge the interval's default, not the value that could not be read: left out.
        Assert.DoesNotContain(problems, p => p.Contains("must be above HeartbeatInterval"));
    }

    [Theory]
    [InlineData("WEBSOCKET_MESSAGE_BUFFER_SIZE", "-1")]
    [InlineData("WEBSOCKET_MAX_MESSAGE_SIZE", "0")]
    [InlineData("WEBSOCKET_READ_BUFFER_SIZE", "-1024")]
    [InlineData("WEBSOCKET_COMPRESSION_LEVEL", "10")]
    [InlineData("WEBSOCKET_COMPRESSION_LEVEL", "-3")]
    [InlineData("WEBSOCKET_SEND_TIMEOUT_MS", "-5")]
    [InlineData("WEBSOCKET_MAX_GROUPS_PER_CONNECTION", "0")]
    [InlineData("WEBSOCKET_CONNECTION_HOSTS", "0")]
    [InlineData("WEBSOCKET_MAX_CONNECTIONS_PER_USER", "-1")]
    [InlineData("WEBSOCKET_MAX_CONNECTIONS_PER_IP", "-2")]
    [InlineData("WEBSOCKET_CONNECTION_PARTITIONS", "0")]
    [InlineData("WEBSOCKET_CONNECTION_PARTITIONS", "1025")]
    public void Out_of_range_value_names_the_variable_and_the_value(string variable, string value)
    {
        var message = Refused(new() { [variable] = value }).Message;
        Assert.Contains(variable, message);
        Assert.Contains($"= {value}", message);
    }

    [Theory]
    [InlineData("WEBSOCKET_BROADCAST_WORKERS")]
    [InlineData("WEBSOCKET_PING_WORKERS")]
    [InlineData("WebSocket:BroadcastWorkerCount")]
    public void A_retired_setting_stops_the_start_and_names_what_took_its_place(string source)
    {
        var message = Refused(new() { [source] = "8" }).Message;
        Assert.Contains($"{source} is retired", message);
        Assert.Contains("WEBSOCKET_CONNECTION_PARTITIONS", message);
    }

    [Theory]
    [InlineData("30", "30")]
    [InlineData("30", "20")]
    public void Connection_timeout_must_exceed_the_heartbeat_interval(string heartbeat, string timeout)
    {
        var message = Refused(new() { ["WEBSOCKET_HEARTBEAT_INTERVAL"] = heartbeat, ["WEBSOCKET_CONNECTION_TIMEOUT"] = timeout }).Message;
        Assert.Contains("WEBSOCKET_CONNECTION_TIMEOUT", message);
        Assert.Contains("WEBSOCKET_HEARTBEAT_INTERVAL", message);
    }

    [Fact]
    public void Code_overlay_is_validated_too()
    {
        var failure = Assert.Throws<SwitchboardSettingsException>(() => Load([], o => o with { MaxConnections = 0 }));
        Assert.Contains("MaxConnections (WEBSOCKET_MAX_CONNECTIONS) = 0", failure.Message);
    }

    [Fact]
    public void Every_problem_is_reported_in_one_exception()
    {
        var failure = Refused(new()
        {
            ["WEBSOCKET_MAX_CONNECTIONS"] = "x",
            ["WEBSOCKET_DROP_ON_FULL"] = "maybe",
            ["WebSocket:ShardCount"] = "y",
        });
        Assert.Equal(3, failure.Problems.Count);
    }
}

public sealed class ClusterSettingsTests
{
    private static SwitchboardOptions Load(Dictionary<string, string?> values) => SettingsLoaderTests.Load(values);

    [Fact]
    public void Without_cluster_settings_a_node_is_a_cluster_of_one_on_a_free_loopback_port()
    {
        var o = Load([]);
        Assert.Empty(o.ClusterSeeds);
        Assert.Equal(("127.0.0.1", 0), (o.ClusterHostname, o.ClusterPort));
        Assert.Empty(o.ClusterRoles);
    }

    [Fact]
    public void Cluster_variables_and_the_Cluster_section_are_read()
    {
        var o = Load(new()
        {
            ["CLUSTER_SEEDS"] = "akka.tcp://switchboard@127.0.0.1:4053, akka.tcp://switchboard@10.0.0.2:4054",
            ["CLUSTER_PORT"] = "4055",
            ["Cluster:Hostname"] = "node-3",
            ["Cluster:Roles"] = "hub,api",
            ["CLUSTER_JOIN_TIMEOUT"] = "15",
        });
        Assert.Equal(["akka.tcp://switchboard@127.0.0.1:4053", "akka.tcp://switchboard@10.0.0.2:4054"], o.ClusterSeeds);
        Assert.Equal(("node-3", 4055), (o.ClusterHostname, o.ClusterPort));
        Assert.Equal(["hub", "api"], o.ClusterRoles);
        Assert.Equal(TimeSpan.FromSeconds(15), o.ClusterJoinTimeout);
        Assert.Equal(TimeSpan.FromSeconds(60), Load([]).ClusterJoinTimeout);
    }

    [Theory]
    [InlineData("CLUSTER_SEEDS", "127.0.0.1:4053")]
    [InlineData("CLUSTER_SEEDS", "akka.tcp://other@127.0.0.1:4053")]
    [InlineData("CLUSTER_SEEDS", "akka.tcp://switchboard@127.0.0.1")]
    [InlineData("CLUSTER_HOSTNAME", "not a host")]
    [InlineData("CLUSTER_PORT", "70000")]
    [InlineData("CLUSTER_JOIN_TIMEOUT", "0")]
    public void Invalid_cluster_values_name_the_variable(string variable, string value)
    {
        var values = new Dictionary<string, string?> { [variable] = value, ["CLUSTER_PORT"] = variable == "CLUSTER_PORT" ? value : "4053" };
        Assert.Contains(variable, Assert.Throws<SwitchboardSettingsException>(() => Load(values)).Message);
    }

    [Fact]
    public void Joining_seeds_needs_a_fixed_port()
    {
        var failure = Assert.Throws<SwitchboardSettingsException>(() => Load(new() { ["CLUSTER_SEEDS"] = "akka.tcp://switchboard@127.0.0.1:4053" }));
        Assert.Contains("CLUSTER_PORT", failure.Message);
    }
}

using Microsoft.Extensions.Configuration;
using Switchboard.Service.Metrics;
using Switchboard.Service.Settings;

namespace Switchboard.Service.Tests;

/// <summary>The <c>Metrics</c> section: its defaults, and every bad value reported at once with its path.</summary>
public sealed class MetricsSettingsTests
{
    private static MetricsOptions Load(Dictionary<string, string?> values) =>
        MetricsOptionsLoader.Load(new ConfigurationBuilder().AddInMemoryCollection(values).Build());

    [Fact]
    public void By_default_metrics_are_on_open_and_time_one_message_in_16()
    {
        var options = Load([]);
        Assert.Equal((true, false, 16, TimeSpan.FromSeconds(5)),
            (options.Enabled, options.RequireKey, options.DeliverySampleEvery, options.ShardingRefresh));
    }

    [Fact]
    public void Each_setting_is_read_from_its_path()
    {
        var options = Load(new()
        {
            ["Metrics:Enabled"] = "0",
            ["Metrics:RequireKey"] = "true",
            ["Metrics:DeliverySampleEvery"] = "1",
            ["Metrics:ShardingRefreshSeconds"] = "0.5",
        });
        Assert.Equal((false, true, 1, TimeSpan.FromMilliseconds(500)),
            (options.Enabled, options.RequireKey, options.DeliverySampleEvery, options.ShardingRefresh));
    }

    [Fact]
    public void Every_bad_value_is_reported_at_once()
    {
        var refused = Assert.Throws<SwitchboardSettingsException>(() => Load(new()
        {
            ["Metrics:RequireKey"] = "yes",
            ["Metrics:DeliverySampleEvery"] = "2000000",
            ["Metrics:ShardingRefreshSeconds"] = "soon",
        }));
        Assert.Equal(
        [
            "Metrics:RequireKey=\"yes\": not a boolean (use 1, 0, true or false)",
            "Metrics:DeliverySampleEvery=\"2000000\": not a whole number from 0 to 1000000",
            "Metrics:ShardingRefreshSeconds=\"soon\": not a number of seconds, 0 or more",
        ], refused.Problems);
    }
}

using Microsoft.Extensions.Configuration;
using Switchboard.Service.Settings;

namespace Switchboard.Service.Metrics;

/// <summary>Builds <see cref="MetricsOptions"/> from the <c>Metrics</c> section and reports every bad value at once, naming its path.</summary>
public static class MetricsOptionsLoader
{
    public const int MaxDeliverySampleEvery = 1_000_000;

    /// <exception cref="SwitchboardSettingsException">A value does not parse or is out of range.</exception>
    public static MetricsOptions Load(IConfiguration configuration)
    {
        var problems = new List<string>();
        var section = configuration.GetSection(MetricsOptions.SectionName);
        var defaults = new MetricsOptions();
        var options = new MetricsOptions
        {
            Enabled = ConfigurationValues.ReadBool(section.GetSection("Enabled"), problems) ?? defaults.Enabled,
            RequireKey = ConfigurationValues.ReadBool(section.GetSection("RequireKey"), problems) ?? defaults.RequireKey,
            DeliverySampleEvery = ConfigurationValues.ReadInt(section.GetSection("DeliverySampleEvery"), 0, MaxDeliverySampleEvery, problems)
                                  ?? defaults.DeliverySampleEvery,
            ShardingRefresh = ConfigurationValues.ReadSeconds(section.GetSection("ShardingRefreshSeconds"), problems)
                              ?? defaults.ShardingRefresh,
        };
        if (options.ShardingRefresh <= TimeSpan.Zero)
            problems.Add($"{section.Path}:ShardingRefreshSeconds=\"{section["ShardingRefreshSeconds"]}\": must be above 0 seconds");
        return problems.Count == 0 ? options : throw new SwitchboardSettingsException(problems);
    }
}

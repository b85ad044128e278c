using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Switchboard.Service.Settings;

/// <summary>
/// Reads one setting of a configuration section, or adds a problem naming its path and value: for the loaders that
/// report every bad value at once (<c>AuthOptionsLoader</c>, <c>MetricsOptionsLoader</c>). Null: not set, or bad.
/// </summary>
public static class ConfigurationValues
{
    public static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    public static TimeSpan? ReadSeconds(IConfigurationSection section, List<string> problems)
    {
        if (NonEmpty(section.Value) is not { } value)
            return null;
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && double.IsFinite(s) && s >= 0)
            return TimeSpan.FromSeconds(s);
        problems.Add($"{section.Path}=\"{value}\": not a number of seconds, 0 or more");
        return null;
    }

    public static bool? ReadBool(IConfigurationSection section, List<string> problems)
    {
        switch (NonEmpty(section.Value)?.ToLowerInvariant())
        {
            case null:
                return null;
            case "1" or "true":
                return true;
            case "0" or "false":
                return false;
            default:
                problems.Add($"{section.Path}=\"{section.Value}\": not a boolean (use 1, 0, true or false)");
                return null;
        }
    }

    public static int? ReadInt(IConfigurationSection section, int min, int max, List<string> problems)
    {
        if (NonEmpty(section.Value) is not { } value)
            return null;
        if (int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max)
            return n;
        problems.Add($"{section.Path}=\"{value}\": not a whole number from {min} to {max}");
        return null;
    }
}

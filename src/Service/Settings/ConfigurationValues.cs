using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Switchboard.Service.Settings;

/// <summary>
/// The settings' one way of reading a boolean, a whole number and seconds (<c>Parse*</c>, null when the text is not
/// one), and the section readers built on it that add a problem naming the path and value instead of throwing: for
/// the loaders that report every bad value at once (<c>AuthOptionsLoader</c>, <c>MetricsOptionsLoader</c>).
/// </summary>
public static class ConfigurationValues
{
    /// <summary>
    /// The most seconds <see cref="ReadSeconds"/> takes: 100 years, far beyond any sensible setting, so that a time
    /// plus one or two such settings cannot overflow (a TimeSpan ends near 29,000 years).
    /// </summary>
    public const double MaxSeconds = 100 * 365.25 * 24 * 3600;

    public static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    public static bool? ParseBool(string value) => value.Trim().ToLowerInvariant() switch
    {
        "1" or "true" => true,
        "0" or "false" => false,
        _ => null,
    };

    public static int? ParseInt(string value) =>
        int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n : null;

    public static double? ParseSeconds(string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && double.IsFinite(s) ? s : null;

    public static TimeSpan? ReadSeconds(IConfigurationSection section, List<string> problems)
    {
        if (NonEmpty(section.Value) is not { } value)
            return null;
        if (ParseSeconds(value) is not { } s || s < 0)
            problems.Add($"{section.Path}=\"{value}\": not a number of seconds, 0 or more");
        else if (s > MaxSeconds)
            problems.Add($"{section.Path}=\"{value}\": more than {MaxSeconds} seconds (100 years)");
        else
            return TimeSpan.FromSeconds(s);
        return null;
    }

    public static bool? ReadBool(IConfigurationSection section, List<string> problems)
    {
        if (NonEmpty(section.Value) is not { } value)
            return null;
        if (ParseBool(value) is { } b)
            return b;
        problems.Add($"{section.Path}=\"{section.Value}\": not a boolean (use 1, 0, true or false)");
        return null;
    }

    public static int? ReadInt(IConfigurationSection section, int min, int max, List<string> problems)
    {
        if (NonEmpty(section.Value) is not { } value)
            return null;
        if (ParseInt(value) is { } n && n >= min && n <= max)
            return n;
        problems.Add($"{section.Path}=\"{value}\": not a whole number from {min} to {max}");
        return null;
    }

    /// <summary>A list setting: either children (<c>Auth:AllowedOrigins:0</c>) or one comma-separated value.</summary>
    public static IReadOnlyList<string> ReadList(IConfigurationSection section) =>
        section.Value is { } joined
            ? joined.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            : section.GetChildren().Select(c => c.Value?.Trim()).Where(v => !string.IsNullOrEmpty(v)).Select(v => v!).ToList();

    /// <summary>A problem for each child of <paramref name="section"/> that is not one of <paramref name="known"/>: a mistyped name would otherwise be ignored.</summary>
    public static void UnknownKeys(IConfigurationSection section, IReadOnlyList<string> known, string what, List<string> problems)
    {
        foreach (var child in section.GetChildren().Where(c => !known.Contains(c.Key, StringComparer.OrdinalIgnoreCase)))
            problems.Add($"{child.Path}: not {what}; those are {string.Join(", ", known)}");
    }

    /// <summary>An absolute <c>http</c> or <c>https</c> URL without user info (credentials in a URL end up in logs); null when unset.</summary>
    public static Uri? ReadUrl(IConfigurationSection section, List<string> problems)
    {
        if (NonEmpty(section.Value) is not { } value)
            return null;
        if (Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.UserInfo.Length == 0)
            return uri;
        problems.Add($"{section.Path}=\"{value}\": not an http or https URL (without user info)");
        return null;
    }
}

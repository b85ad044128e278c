using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Switchboard.Client.Hosting;

/// <summary>
/// Reads <see cref="SwitchboardClientOptions"/> from a configuration section by name, without reflection (safe to trim
/// and to compile ahead of time). A value that cannot be read stops the host's start with one message naming every bad key.
/// </summary>
internal static class ClientConfiguration
{
    public static void Bind(IConfiguration section, SwitchboardClientOptions options)
    {
        var problems = new List<string>();
        var urls = Values(section, "Urls");
        if (urls.Count > 0)
            options.Urls = urls.Select(url => Uri.TryCreate(url.Value, UriKind.Absolute, out var uri) ? uri : Bad<Uri>(problems, url.Path, url.Value, "an absolute ws:// or wss:// URL")!)
                .Where(uri => uri is not null).ToList();
        if (section["UserId"] is { } userId) options.UserId = userId;
        if (section["Token"] is { } token) options.Token = token;
        var groups = Values(section, "Groups");
        if (groups.Count > 0) options.Groups = groups.Select(group => group.Value).ToList();
        Read(section, "PingInterval", problems, value => options.PingInterval = value);
        Read(section, "PongTimeout", problems, value => options.PongTimeout = value);
        Read(section, "ConnectTimeout", problems, value => options.ConnectTimeout = value);
        Read(section, "SendTimeout", problems, value => options.SendTimeout = value);
        Read(section, "MessageBufferSize", problems, (int value) => options.MessageBufferSize = value);
        Read(section, "MaxFrameSize", problems, (int value) => options.MaxFrameSize = value);
        var reconnect = section.GetSection("Reconnect");
        if (reconnect["Enabled"] is { } enabled)
        {
            if (bool.TryParse(enabled, out var on)) options.Reconnect.Enabled = on;
            else Bad<bool>(problems, reconnect.GetSection("Enabled").Path, enabled, "true or false");
        }
        Read(reconnect, "InitialDelay", problems, value => options.Reconnect.InitialDelay = value);
        Read(reconnect, "MaxDelay", problems, value => options.Reconnect.MaxDelay = value);
        Read(reconnect, "GoingAwayDelay", problems, value => options.Reconnect.GoingAwayDelay = value);
        Read(reconnect, "RateLimitDelay", problems, value => options.Reconnect.RateLimitDelay = value);
        Read(reconnect, "MaxAttempts", problems, (int value) => options.Reconnect.MaxAttempts = value);
        if (problems.Count > 0)
            throw new InvalidOperationException($"the Switchboard client's configuration cannot be read: {string.Join("; ", problems)}");
    }

    /// <summary>A list as configuration holds one: children 0, 1, ... (JSON arrays), or one comma-separated value.</summary>
    private static List<(string Path, string Value)> Values(IConfiguration section, string key)
    {
        var list = section.GetSection(key);
        if (list.Value is { } joined)
            return joined.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(v => (list.Path, v)).ToList();
        return list.GetChildren().Where(child => child.Value is not null).Select(child => (child.Path, child.Value!)).ToList();
    }

    private static void Read(IConfiguration section, string key, List<string> problems, Action<TimeSpan> set)
    {
        if (section[key] is not { } text) return;
        if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value)) set(value);
        else Bad<TimeSpan>(problems, section.GetSection(key).Path, text, "a time span such as 00:00:25");
    }

    private static void Read(IConfiguration section, string key, List<string> problems, Action<int> set)
    {
        if (section[key] is not { } text) return;
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)) set(value);
        else Bad<int>(problems, section.GetSection(key).Path, text, "a whole number");
    }

    private static T? Bad<T>(List<string> problems, string path, string value, string expected)
    {
        problems.Add($"{path} is \"{value}\", not {expected}");
        return default;
    }
}

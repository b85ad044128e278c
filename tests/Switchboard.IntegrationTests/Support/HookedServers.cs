namespace Switchboard.IntegrationTests.Support;

/// <summary>Settings for an in-process server whose hooks call the test backend.</summary>
public static class HookedServers
{
    /// <summary><see cref="TestBackend.Settings"/> as configuration keys (<c>Hooks:Connect:Url</c>), with <paramref name="more"/> added.</summary>
    public static Dictionary<string, string?> Settings(TestBackend backend, string[] hooks, params (string Key, string Value)[] more)
    {
        var settings = backend.Settings(hooks).ToDictionary(s => s.Key.Replace("__", ":"), s => (string?)s.Value);
        foreach (var (key, value) in more)
            settings[key] = value;
        return settings;
    }

    /// <summary>The headers of a browser on <paramref name="origin"/> that holds <paramref name="cookie"/>, for <see cref="RawWebSocket"/>.</summary>
    public static Dictionary<string, string?> Browser(string origin, string? cookie = null, params (string Name, string Value)[] more)
    {
        var headers = new Dictionary<string, string?> { ["Origin"] = origin, ["Cookie"] = cookie };
        foreach (var (name, value) in more)
            headers[name] = value;
        return headers;
    }
}

using System.Text.RegularExpressions;

namespace Switchboard.Service.Tests.Deploy.Support;

/// <summary>docker/compose.yaml and docker/Dockerfile, read as compose and docker would read them.</summary>
public static partial class ComposeFile
{
    public static string Path => System.IO.Path.Combine(DeployFolder.RepositoryRoot, "docker", "compose.yaml");

    public static string Dockerfile => System.IO.Path.Combine(DeployFolder.RepositoryRoot, "docker", "Dockerfile");

    /// <summary>The services built from docker/Dockerfile: the Switchboard nodes, each with its name.</summary>
    public static IReadOnlyList<(string Name, Dictionary<object, object> Service)> Nodes()
    {
        var services = (Dictionary<object, object>)Manifests.Documents(Path).Single()["services"];
        return services
            .Select(s => ((string)s.Key, (Dictionary<object, object>)s.Value))
            .Where(s => s.Item2.TryGetValue("build", out var build) && build is Dictionary<object, object> b
                        && (string)b["dockerfile"] == "docker/Dockerfile")
            .ToList();
    }

    /// <summary>A service's variables, from the map or the NAME=value list compose takes.</summary>
    public static IReadOnlyDictionary<string, string> Environment(Dictionary<object, object> service) =>
        service.TryGetValue("environment", out var environment)
            ? environment switch
            {
                Dictionary<object, object> map => map.ToDictionary(v => (string)v.Key, v => (string)v.Value),
                List<object> list => list.Cast<string>().Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p[1]),
                _ => throw new InvalidOperationException("environment is neither a map nor a list"),
            }
            : new Dictionary<string, string>();

    /// <summary>The variables the image sets (<c>ENV</c> lines of docker/Dockerfile's last stage).</summary>
    public static IReadOnlyDictionary<string, string> ImageEnvironment()
    {
        var stages = File.ReadAllText(Dockerfile).Split("\nFROM ");
        return EnvLine().Matches(stages[^1]).ToDictionary(m => m.Groups["name"].Value, m => m.Groups["value"].Value);
    }

    /// <summary>The URL a health check asks: the last argument of <c>["CMD", "curl", ..., url]</c>.</summary>
    public static Uri HealthCheckUrl(Dictionary<object, object> service)
    {
        var test = ((List<object>)((Dictionary<object, object>)service["healthcheck"])["test"]).Cast<string>().ToList();
        return test is ["CMD", "curl", .., var url] ? new Uri(url) : throw new InvalidOperationException($"a health check other than curl: {string.Join(" ", test)}");
    }

    /// <summary>Every <c>${NAME...}</c> of <paramref name="text"/>, by name, with what follows the name (<c>:?message</c>, or empty).</summary>
    public static IReadOnlyDictionary<string, string> References(string text) =>
        Interpolation().Matches(text).GroupBy(m => m.Groups["name"].Value).ToDictionary(g => g.Key, g => g.First().Groups["rule"].Value);

    /// <summary>
    /// <paramref name="value"/> with each <c>${NAME}</c>, <c>${NAME:?message}</c> or <c>${NAME:-default}</c> replaced as
    /// Compose does from <paramref name="variables"/>; a required one that is missing throws with its message, as Compose stops.
    /// </summary>
    public static string Interpolate(string value, IReadOnlyDictionary<string, string> variables) =>
        Interpolation().Replace(value, m =>
        {
            var name = m.Groups["name"].Value;
            var rule = m.Groups["rule"].Value;
            if (variables.TryGetValue(name, out var given) && (given.Length > 0 || !rule.StartsWith(':')))
                return given;
            var unset = rule.TrimStart(':');
            if (unset.StartsWith('?'))
                throw new InvalidOperationException($"{name}: {unset[1..]}");
            return unset.StartsWith('-') ? unset[1..] : "";
        });

    [GeneratedRegex(@"\$\{(?<name>[A-Za-z_][A-Za-z0-9_]*)(?<rule>[^}]*)\}")]
    private static partial Regex Interpolation();

    [GeneratedRegex(@"^ENV (?<name>[A-Za-z_][A-Za-z0-9_]*)=(?<value>\S+)", RegexOptions.Multiline)]
    private static partial Regex EnvLine();
}

using Microsoft.Extensions.Configuration;
using Switchboard.Service.Hosting;
using Switchboard.Service.Settings;

namespace Switchboard.Service.Tests.Deploy.Support;

/// <summary>
/// Which environment variables the service reads: those its settings loaders ask for (<see cref="ServiceSettings"/>,
/// every loader the service checks at start, so a loader or a row added there counts here with nothing else to
/// change), and the few that the .NET host and runtime read before any loader runs (<see cref="Host"/>).
/// </summary>
public static class ServiceVariables
{
    /// <summary>Read by ASP.NET Core or the runtime, not by a loader of ours: each with where it is documented.</summary>
    public static readonly IReadOnlyDictionary<string, string> Host = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["ASPNETCORE_URLS"] = "the addresses Kestrel listens on (docs/security.md, Protected mode)",
        [SocketCompletions.Variable] = "socket completions on the epoll thread (docs/performance.md, Socket completions)",
        ["DOTNET_gcServer"] = "Server GC instead of the service's Workstation GC (docs/performance.md, GC mode)",
        ["DOTNET_GCHeapHardLimit"] = "a bound on the heap (docs/performance.md, GC mode)",
        ["DOTNET_GCGen0MaxBudget"] = "the young generation's budget (docs/performance.md, Young generation)",
        ["DOTNET_TieredCompilation"] = "tiered compilation back on (docs/performance.md, Tiered compilation)",
    };

    /// <summary>Sections that ASP.NET Core binds itself: <c>Logging__Console__FormatterName=json</c> (docs/operations.md, Logs).</summary>
    public static readonly IReadOnlyList<string> HostSections = ["Logging"];

    /// <summary>
    /// What the service makes of <paramref name="environment"/>: the configuration paths its loaders read (environment
    /// variables reach the configuration with <c>__</c> as <c>:</c>) and the problems its checks find.
    /// </summary>
    public static (IReadOnlySet<string> Read, IReadOnlyList<string> Problems) Load(IReadOnlyDictionary<string, string> environment)
    {
        var recorder = new ReadRecorder(Configuration(environment));
        var problems = ServiceSettings.Problems(recorder);
        return (recorder.Read, problems);
    }

    /// <summary>The names in <paramref name="environment"/> that nothing in the service reads.</summary>
    public static IReadOnlyList<string> Unread(IReadOnlyDictionary<string, string> environment)
    {
        var (read, _) = Load(environment);
        return environment.Keys
            .Where(name => !Host.ContainsKey(name) && !read.Contains(PathOf(name))
                           && !HostSections.Any(s => PathOf(name).StartsWith(s + ":", StringComparison.OrdinalIgnoreCase)))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The configuration a process started with <paramref name="environment"/> has.</summary>
    public static IConfiguration Configuration(IReadOnlyDictionary<string, string> environment) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(environment.Select(v => KeyValuePair.Create(PathOf(v.Key), (string?)v.Value)))
            .Build();

    /// <summary>An environment variable's configuration path, as .NET's environment provider makes it.</summary>
    public static string PathOf(string variable) => variable.Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal);
}

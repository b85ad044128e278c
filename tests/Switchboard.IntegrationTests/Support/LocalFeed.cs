using System.Security;

namespace Switchboard.IntegrationTests.Support;

/// <summary>
/// dotnet for a new app outside the repository that takes packages from a local feed, as a user who installs them does,
/// with no servers left running after a command (an MSBuild node or the compiler server would outlive the test).
/// </summary>
public static class LocalFeed
{
    public static Dictionary<string, string?> NoServers => new()
    {
        ["MSBUILDDISABLENODEREUSE"] = "1",
        ["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0",
        ["UseSharedCompilation"] = "false",
    };

    /// <summary>
    /// Writes <paramref name="root"/>'s nuget.config and returns the environment for dotnet there: packages restored into
    /// the folder, with the machine's NuGet folder as a read-only fallback (nothing is added to it, and what it holds is
    /// not fetched again). The machine's own package sources stay in force: the file only adds <paramref name="feed"/>.
    /// </summary>
    public static Dictionary<string, string?> Environment(string root, string feed)
    {
        var machinePackages = System.Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        File.WriteAllText(Path.Combine(root, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="switchboard-local" value="{SecurityElement.Escape(feed)}" />
              </packageSources>
              <fallbackPackageFolders>
                <add key="machine" value="{SecurityElement.Escape(machinePackages)}" />
              </fallbackPackageFolders>
            </configuration>
            """);
        var environment = NoServers;
        environment["NUGET_PACKAGES"] = Path.Combine(root, "packages");
        return environment;
    }
}

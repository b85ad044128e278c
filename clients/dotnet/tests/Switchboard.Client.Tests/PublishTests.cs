using System.Reflection;
using System.Text.RegularExpressions;
using Switchboard.Client.Tests.Support;

namespace Switchboard.Client.Tests;

/// <summary>
/// The client as a user takes it: packed into a local feed, referenced by a new console app (the README's example,
/// samples/Switchboard.Client.Console), published ahead of time (PublishAot) with every trimming and AOT warning an
/// error, and run against a node: the native program exchanges a message.
/// </summary>
[Collection(SharedNode.Collection)]
public sealed partial class PublishTests(SharedNode node)
{
    private static readonly string Repository = ServiceProcess.RepositoryRoot;
    private static readonly string Samples = Path.Combine(Repository, "clients", "dotnet", "samples", "Switchboard.Client.Console");

    // The configuration these tests were built in (X/bin/{Configuration}/{tfm}/), which pack --no-build takes.
    private static readonly string Configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;

    private static readonly string ClientVersion = typeof(SwitchboardClient).Assembly
        .GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion.Split('+')[0];

    [Fact]
    public async Task The_packed_client_published_ahead_of_time_exchanges_a_message()
    {
        var root = Directory.CreateTempSubdirectory("switchboard-client-aot").FullName;
        try
        {
            var (feed, app) = (Directory.CreateDirectory(Path.Combine(root, "feed")).FullName, Directory.CreateDirectory(Path.Combine(root, "app")).FullName);
            // A version of this run's own, so that no package of the same version in the machine's NuGet folder stands in.
            var version = $"{ClientVersion}-test{Guid.NewGuid():N}";
            await Command.SucceedAsync("dotnet",
                ["pack", Path.Combine(Repository, "clients", "dotnet", "src", "Switchboard.Client"), "-c", Configuration, "--no-build", "-nologo",
                 "-o", feed, $"-p:PackageVersion={version}", $"-p:NuspecOutputPath={Path.Combine(root, "nuspec")}/"], Repository, LocalFeed.NoServers);
            File.Copy(Path.Combine(Samples, "Program.cs"), Path.Combine(app, "Program.cs"));
            await File.WriteAllTextAsync(Path.Combine(app, "console.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <ImplicitUsings>enable</ImplicitUsings>
                    <Nullable>enable</Nullable>
                    <PublishAot>true</PublishAot>
                    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                    <TrimmerSingleWarn>false</TrimmerSingleWarn>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="Switchboard.Client" Version="{version}" />
                  </ItemGroup>
                </Project>
                """);
            var published = await Command.SucceedAsync("dotnet", ["publish", "-c", "Release", "-r", "linux-x64", "-nologo", "-o", "out"],
                app, LocalFeed.Environment(root, feed));
            Assert.DoesNotMatch(Warning(), published.Stdout);

            var run = await Command.SucceedAsync(Path.Combine(app, "out", "console"), [node.Ws.ToString()], app);
            Assert.Equal("console: hello from .NET", run.Stdout.Trim());
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task The_readme_shows_the_console_example_as_it_is_built_and_published()
    {
        var readme = await File.ReadAllTextAsync(Path.Combine(Repository, "clients", "dotnet", "README.md"));
        var program = await File.ReadAllTextAsync(Path.Combine(Samples, "Program.cs"));
        Assert.Contains(program.Trim(), readme);
        Assert.True(program.Trim().Split('\n').Length <= 10, "the console example is ten lines at most");
    }

    [GeneratedRegex(@"warning (IL|CS)\d+")]
    private static partial Regex Warning();
}

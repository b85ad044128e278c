using System.Reflection;
using System.Text.Json;
using Switchboard.IntegrationTests.Support;
using Switchboard.Service.Hosting;

namespace Switchboard.IntegrationTests;

/// <summary>
/// The packages as a new user takes them: <c>dotnet pack</c> (the server library with its dependencies, and sbctl as a
/// .NET tool) and <c>npm pack</c> (the JavaScript client) into a local feed; a new app from <c>dotnet new web</c> with
/// the server package and its two calls; the client installed from its tarball exchanging a message through that app,
/// and sbctl installed from the feed reading the app's figures. It packs what the tests were built from
/// (<c>--no-build</c>) and overlaps the steps that do not wait on each other.
/// </summary>
public sealed class PackageTests
{
    private static readonly string Repository = ServiceProcess.RepositoryRoot;
    private static readonly string ClientSources = Path.Combine(Repository, "clients", "js");

    // The configuration these tests were built in (tests/X/bin/{Configuration}/{tfm}/), which pack --no-build takes.
    private static readonly string Configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;

    private static readonly string ServiceVersion = typeof(SwitchboardServiceCollectionExtensions).Assembly
        .GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion.Split('+')[0];

    // The new app's Program.cs: the template's, with the two calls, its own endpoint naming its own Program. That
    // compiles without a warning only if the package's standalone host leaves the global name Program to the app.
    private const string AppProgram = """
        using Switchboard.Service.Hosting;
        using Switchboard.Service.Http;

        var builder = WebApplication.CreateBuilder(args);
        builder.Services.AddSwitchboard();
        var app = builder.Build();

        app.MapGet("/", () => typeof(Program).Assembly.GetName().Name);
        app.MapSwitchboard();

        app.Run();
        """;

    // Two clients of the installed package (with ws: this machine's Node 20 has no global WebSocket) exchange a message.
    private const string Exchange = """
        import WebSocket from "ws";
        import { SwitchboardClient } from "switchboard-client";

        const [url] = process.argv.slice(2);
        const alice = new SwitchboardClient(url, { userId: "alice", WebSocket });
        const bob = new SwitchboardClient(url, { userId: "bob", WebSocket });
        await Promise.all([alice.connect(), bob.connect()]);
        const arrived = new Promise((resolve) => bob.on("message", resolve));
        const ack = await alice.send({ to: "bob", type: "chat", data: { text: "from the tarball" } });
        const message = await arrived;
        console.log(JSON.stringify({ ack: ack.type, from: message.from, type: message.type, data: message.data }));
        alice.close();
        bob.close();
        """;

    // TypeScript that imports the installed package by its name: its exports and types resolve as Node resolves them.
    private const string TypeCheck = """
        import { SwitchboardClient, type Welcome } from "switchboard-client";

        const client = new SwitchboardClient("ws://127.0.0.1:8080/ws", { userId: "typed" });
        const welcome: Promise<Welcome> = client.connect();
        void welcome;
        """;

    [Fact]
    public async Task A_new_web_app_with_the_server_package_serves_the_packed_client_and_the_sbctl_tool()
    {
        var typescript = Path.Combine(ClientSources, "node_modules", "typescript", "bin", "tsc");
        Assert.True(File.Exists(typescript), $"npm pack builds the client with clients/js's tools: run npm ci there first ({typescript})");
        var root = Directory.CreateTempSubdirectory("switchboard-packages").FullName;
        try
        {
            await PackInstallAndExchangeAsync(root, typescript);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task PackInstallAndExchangeAsync(string root, string typescript)
    {
        var (feed, appFolder, clientFolder, tools) =
            (Folder(root, "feed"), Folder(root, "app"), Folder(root, "client"), Folder(root, "tools"));
        // A version of this run's own, so that no package of the service's version already in the machine's NuGet
        // folder (put there by a user who installed one) stands in for this build.
        var version = $"{ServiceVersion}-test{Guid.NewGuid():N}";
        var dotnet = LocalFeed.Environment(root, feed);

        // The nuspec files go to the test's folder too, not into the projects' obj/.
        var serverPacked = Command.SucceedAsync("dotnet",
            ["pack", "Akka.sln", "-c", Configuration, "--no-build", "-nologo", "-o", feed, $"-p:PackageVersion={version}",
             $"-p:NuspecOutputPath={Folder(root, "nuspec")}/"], Repository, LocalFeed.NoServers);
        var clientPacked = Command.SucceedAsync("npm", ["pack", "--pack-destination", feed], ClientCopy(root));

        async Task<string> AppBuiltAsync()
        {
            await Command.SucceedAsync("dotnet", ["new", "web", "-o", appFolder, "-n", "PackagedApp", "--no-restore"], root, dotnet);
            await File.WriteAllTextAsync(Path.Combine(appFolder, "Program.cs"), AppProgram);
            await serverPacked;
            // Restored once, by the build.
            await Command.SucceedAsync("dotnet", ["add", "package", "Switchboard.Service", "--version", version, "--no-restore"],
                appFolder, dotnet);
            var build = await Command.SucceedAsync("dotnet", ["build", "-c", "Release", "-nologo"], appFolder, dotnet);
            Assert.DoesNotContain("warning CS", build.Stdout);
            return Path.Combine(appFolder, "bin", "Release", "net10.0", "PackagedApp.dll");
        }

        async Task<string> SbctlInstalledAsync()
        {
            await serverPacked;
            await Command.SucceedAsync("dotnet",
                ["tool", "install", "Switchboard.Cli", "--version", version, "--tool-path", tools, "--add-source", feed], root, dotnet);
            return Path.Combine(tools, "sbctl");
        }

        async Task ClientInstalledAsync()
        {
            await clientPacked;
            var tarball = Directory.GetFiles(feed, "switchboard-client-*.tgz").Single();
            await File.WriteAllTextAsync(Path.Combine(clientFolder, "package.json"), """{ "private": true }""");
            await Command.SucceedAsync("npm", ["install", "--no-audit", "--no-fund", tarball, $"ws@{PinnedWsVersion()}"], clientFolder);
            await File.WriteAllTextAsync(Path.Combine(clientFolder, "exchange.mjs"), Exchange);
            await File.WriteAllTextAsync(Path.Combine(clientFolder, "check.ts"), TypeCheck);
            await Command.SucceedAsync("node",
                [typescript, "--noEmit", "--strict", "--module", "nodenext", "--moduleResolution", "nodenext", "--target", "es2022", "check.ts"],
                clientFolder);
        }

        var (appBuilt, sbctlInstalled, clientInstalled) = (AppBuiltAsync(), SbctlInstalledAsync(), ClientInstalledAsync());
        // WhenAll returns once every step has ended, so that none is still writing into the folder when it is removed.
        await Task.WhenAll(appBuilt, sbctlInstalled, clientInstalled);

        await using var app = ServiceProcess.Start(assembly: await appBuilt);
        await app.WaitUntilHealthyAsync();
        using var http = new HttpClient { BaseAddress = app.BaseUri };
        Assert.Equal("PackagedApp", await http.GetStringAsync("/"));

        var exchange = await Command.SucceedAsync("node", ["exchange.mjs", $"ws://{app.BaseUri.Authority}/ws"], clientFolder);
        var received = JsonDocument.Parse(exchange.Stdout.Trim().Split('\n')[^1]).RootElement;
        Assert.Equal("ack", received.GetProperty("ack").GetString());
        Assert.Equal("alice", received.GetProperty("from").GetString());
        Assert.Equal("chat", received.GetProperty("type").GetString());
        Assert.Equal("from the tarball", received.GetProperty("data").GetProperty("text").GetString());

        var sbctl = await sbctlInstalled;
        Dictionary<string, string?> noSbctlVariables = new() { ["SBCTL_NODE"] = null, ["SBCTL_KEY"] = null };
        var tool = await Command.SucceedAsync(sbctl, ["--version"], root, noSbctlVariables);
        Assert.StartsWith(ServiceVersion + "+", tool.Stdout.Trim());
        var stats = await Command.SucceedAsync(sbctl, ["stats", "--node", app.BaseUri.ToString(), "--json"], root, noSbctlVariables);
        var figures = JsonDocument.Parse(stats.Stdout).RootElement;
        Assert.True(figures.GetProperty("messages_in").GetInt64() >= 1, stats.Stdout);
        Assert.True(figures.GetProperty("delivered").GetInt64() >= 1, stats.Stdout);
    }

    // The ws version clients/js's own tests pin, which npm ci has already put in the machine's npm cache.
    private static string PinnedWsVersion()
    {
        using var package = JsonDocument.Parse(File.ReadAllText(Path.Combine(ClientSources, "package.json")));
        return package.RootElement.GetProperty("devDependencies").GetProperty("ws").GetString()!;
    }

    /// <summary>
    /// The client's sources copied beside the test, with clients/js's tools linked in: packing builds into the copy's
    /// dist, never into the one clients/js's own tests are reading meanwhile (test.sh runs them at the same time).
    /// </summary>
    private static string ClientCopy(string root)
    {
        var copy = Folder(root, "client-sources");
        foreach (var file in new[] { "package.json", "tsconfig.json", "README.md" })
            File.Copy(Path.Combine(ClientSources, file), Path.Combine(copy, file));
        foreach (var source in Directory.EnumerateFiles(Path.Combine(ClientSources, "src"), "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(copy, Path.GetRelativePath(ClientSources, source));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(source, target);
        }
        Directory.CreateSymbolicLink(Path.Combine(copy, "node_modules"), Path.Combine(ClientSources, "node_modules"));
        return copy;
    }

    private static string Folder(string root, string name) => Directory.CreateDirectory(Path.Combine(root, name)).FullName;
}

using Akka.Actor;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Switchboard.Actors.Namespaces;
using Switchboard.IntegrationTests.Support;
using Switchboard.Service.Hosting;

namespace Switchboard.IntegrationTests;

/// <summary>
/// An edited settings file replaces a running node's namespaces (docs/namespaces.md, "Reload"): the node's actors are told,
/// a broken edit is logged and the table in force stays.
/// </summary>
public sealed class NamespaceReloadTests
{
    private static string Settings(string rules, bool strict = false) =>
        $$$"""{"Namespaces":{"Strict":{{{(strict ? "true" : "false")}}},"Rules":{{{rules}}}}}""";

    private static async Task<string> SettingsFileAsync(string directory, string settings)
    {
        var file = Path.Combine(directory, "appsettings.json");
        await ReplaceAsync(file, settings);
        return file;
    }

    // Written beside and moved over, as editors and config-map updates do: a reader never sees a half-written file.
    private static async Task ReplaceAsync(string file, string settings)
    {
        var next = file + ".next";
        await File.WriteAllTextAsync(next, settings);
        File.Move(next, file, overwrite: true);
    }

    [Fact]
    public async Task An_edited_file_replaces_the_table_and_tells_the_nodes_actors_and_a_broken_edit_keeps_it()
    {
        var file = await SettingsFileAsync(Directory.CreateTempSubdirectory("switchboard-ns").FullName,
            Settings("""{"chat":{"Presence":true}}"""));
        var logs = new CapturedLogs();
        await using var server = await SwitchboardServer.StartAsync(settingsFile: file,
            logging: l => l.AddProvider(logs).AddFilter(typeof(NamespaceReload).FullName, LogLevel.Information));
        var book = server.Services.GetRequiredService<NamespaceBook>();
        Assert.Equal(new NamespaceRules(Presence: true), Assert.Single(book.Current.Rules).Value);
        var inbox = Inbox.Create(server.ActorSystem);
        server.ActorSystem.EventStream.Subscribe(inbox.Receiver, typeof(NamespacesReloaded));

        await ReplaceAsync(file, Settings("""{"chat":{"Presence":true,"PresenceEvents":true},"news":{"ClientPublish":"none"}}""", strict: true));

        var reloaded = (NamespacesReloaded)await inbox.ReceiveAsync(Eventually.Deadline);
        Assert.Same(book.Current, reloaded.Table);
        Assert.True(reloaded.Table.Strict);
        Assert.Equal(new NamespaceRules(Presence: true, PresenceEvents: true), reloaded.Table.Rules["chat"]);
        Assert.Equal(ClientPublish.None, reloaded.Table.Rules["news"].ClientPublish);
        Assert.Contains(logs.Lines, l => l.Contains($"Namespaces reloaded: fingerprint {reloaded.Table.Fingerprint}, strict on, namespaces chat, news"));

        await ReplaceAsync(file, Settings("""{"news":{"ClientPublish":"everyone"},"Bad":{"Presence":true}}"""));

        await Eventually.TrueAsync(() => logs.Lines.Any(l => l.Contains("Namespaces not reloaded")), "the broken edit is logged");
        var refused = Assert.Single(logs.Lines, l => l.Contains("Namespaces not reloaded"));
        Assert.Contains($"the table in force ({reloaded.Table.Fingerprint}) stays", refused);
        Assert.Contains("Namespaces:Rules:news:ClientPublish=\"everyone\": not anyone, members or none", refused);
        Assert.Contains("Namespaces:Rules:Bad: \"Bad\" cannot name a namespace", refused);
        Assert.Same(reloaded.Table, book.Current);
    }

    [Fact]
    public async Task A_node_process_reloads_its_appsettings_and_sbctl_shows_the_new_table()
    {
        var root = Directory.CreateTempSubdirectory("switchboard-ns").FullName;
        var file = await SettingsFileAsync(root, Settings("""{"chat":{"Presence":true}}"""));
        // The content root is where the host reads appsettings.json from, and watches it.
        await using var node = ServiceProcess.Start(new Dictionary<string, string> { ["ASPNETCORE_CONTENTROOT"] = root });
        await node.WaitUntilHealthyAsync();
        var before = await SbctlNamespaces.ListAsync(node.BaseUri);
        var first = Assert.Single(before.Nodes);
        Assert.Equal(["chat"], first.Namespaces.Keys);
        Assert.Contains($"Namespaces loaded: fingerprint {first.Fingerprint}, strict off, namespaces chat", node.Output);

        await ReplaceAsync(file, Settings("""{"chat":{"Presence":true},"news":{"ClientPublish":"none","MaxMembers":10}}"""));

        await Eventually.TrueAsync(async () => (await SbctlNamespaces.ListAsync(node.BaseUri)).Nodes[0].Fingerprint != first.Fingerprint,
            "sbctl shows the reloaded table");
        var after = Assert.Single((await SbctlNamespaces.ListAsync(node.BaseUri)).Nodes);
        Assert.Equal(["chat", "news"], after.Namespaces.Keys);
        Assert.Equal(("none", 10), (after.Namespaces["news"].ClientPublish, after.Namespaces["news"].MaxMembers));
        Assert.Contains($"Namespaces reloaded: fingerprint {after.Fingerprint}, strict off, namespaces chat, news", node.Output);

        await ReplaceAsync(file, Settings("""{"chat":{"PresenceEvents":true}}"""));

        await Eventually.TrueAsync(() => node.Output.Contains("Namespaces not reloaded"), "the broken edit is logged");
        Assert.Contains("needs Namespaces:Rules:chat:Presence on too", node.Output);
        Assert.Equal(after.Fingerprint, Assert.Single((await SbctlNamespaces.ListAsync(node.BaseUri)).Nodes).Fingerprint);
    }
}

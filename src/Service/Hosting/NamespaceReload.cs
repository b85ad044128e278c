using Akka.Actor;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using Switchboard.Actors.Namespaces;
using Switchboard.Service.Settings;

namespace Switchboard.Service.Hosting;

/// <summary>
/// Reads the namespaces again each time the configuration reloads (an edited appsettings.json) and, when they are valid
/// and their fingerprint changed, makes them current in the <see cref="NamespaceBook"/>, which tells this node's actors.
/// Invalid ones are logged with every problem and the table in force stays: a typo in a live file must not take rules
/// away from running groups. Started after the actor system, so that the first reload has actors to tell.
/// </summary>
public sealed class NamespaceReload(
    IServiceProvider services,
    IConfiguration configuration,
    NamespaceBook book,
    PresenceOptions presence,
    ILogger<NamespaceReload> logger) : IHostedService, IDisposable
{
    private IDisposable? _subscription;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var system = services.GetRequiredService<ActorSystem>();
        LogTable("loaded", book.Current);
        _subscription = ChangeToken.OnChange(configuration.GetReloadToken, () => Reload(system));
        return Task.CompletedTask;
    }

    private void Reload(ActorSystem system)
    {
        NamespaceTable table;
        PresenceOptions reloadedPresence;
        try
        {
            (table, reloadedPresence) = NamespaceSettingsLoader.Load(configuration);
        }
        catch (SwitchboardSettingsException e)
        {
            logger.LogError("Namespaces not reloaded, the table in force ({Fingerprint}) stays: {Problems}", book.Current.Fingerprint,
                string.Join("; ", e.Problems));
            return;
        }
        // A file watcher may signal one edit more than once, and most edits touch other sections.
        if (table.Fingerprint != book.Current.Fingerprint)
        {
            // Logged first: the line names what the node's actors are about to apply.
            LogTable("reloaded", table);
            book.Replace(table, system);
        }
        if (reloadedPresence != presence)
            logger.LogWarning("Presence settings changed in the configuration; the ones read at start stay until the node restarts");
    }

    // The line to compare with `sbctl namespaces list` and with the other nodes' logs.
    private void LogTable(string how, NamespaceTable table) =>
        logger.LogInformation("Namespaces {How}: fingerprint {Fingerprint}, strict {Strict}, namespaces {Names}", how, table.Fingerprint,
            table.Strict ? "on" : "off", table.Rules.Count == 0 ? "none" : string.Join(", ", table.Rules.Keys.Order(StringComparer.Ordinal)));

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose() => Interlocked.Exchange(ref _subscription, null)?.Dispose();
}

using Akka;
using Akka.Actor;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Switchboard.Actors.Hub;
using Switchboard.Service.Settings;
using Switchboard.Streams.Framing;

namespace Switchboard.Service.Hosting;

/// <summary>
/// When the cluster removes this node (the split brain resolver, an operator's <c>down</c>, the minority side
/// of a partition) or the node never joins its seeds, Akka runs its coordinated shutdown with that reason.
/// This task, in the first phase, makes the node stop serving at once: it answers 503 from then on, closes
/// every connection with 1001 so that clients reconnect elsewhere, and stops the host, which exits with
/// <see cref="NodeState.DownedExitCode"/> or <see cref="NodeState.JoinFailedExitCode"/> so that a supervisor
/// starts a fresh node that joins again. A planned shutdown (SIGTERM) is left to <see cref="SwitchboardLifecycle"/>.
/// </summary>
public static class ClusterExit
{
    public static void Register(ActorSystem system, IServiceProvider services)
    {
        var shutdown = CoordinatedShutdown.Get(system);
        shutdown.AddTask(CoordinatedShutdown.PhaseBeforeServiceUnbind, "switchboard-exit-when-removed", async () =>
        {
            var exitCode = shutdown.ShutdownReason switch
            {
                CoordinatedShutdown.ClusterDowningReason => NodeState.DownedExitCode,
                CoordinatedShutdown.ClusterJoinUnsuccessfulReason => NodeState.JoinFailedExitCode,
                _ => 0,
            };
            if (exitCode == 0)
                return Done.Instance;

            var node = services.GetRequiredService<NodeState>();
            node.Down(exitCode);
            Environment.ExitCode = exitCode;
            var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ClusterExit));
            var options = services.GetRequiredService<SwitchboardOptions>();
            var hub = services.GetRequiredService<ConnectionHub>();
            if (exitCode == NodeState.DownedExitCode)
            {
                logger.LogError("This node was removed from the cluster (downed by the split brain resolver or an operator, " +
                                "or on the minority side of a partition): it stops serving, closes its {Count} connections with 1001 " +
                                "and exits with status {ExitCode} so that its supervisor starts a fresh node", hub.Connections.Count, exitCode);
            }
            else
            {
                logger.LogError("This node did not manage to join its seed nodes ({Seeds}) within {Timeout} s (CLUSTER_JOIN_TIMEOUT): " +
                                "it exits with status {ExitCode} instead of serving alone as a second cluster",
                    string.Join(", ", options.ClusterSeeds), options.ClusterJoinTimeout.TotalSeconds, exitCode);
            }
            await hub.CloseAllAsync(CloseCode.GoingAway, "node left the cluster", options.ShutdownTimeout);
            services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
            return Done.Instance;
        });
    }
}

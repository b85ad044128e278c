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
/// of a partition), the node never joins its seeds, or an operator's <c>cluster leave</c> takes it out, Akka runs
/// its coordinated shutdown with that reason. This task, in the first phase, makes the node stop serving at once:
/// it answers 503 from then on, closes every connection with 1001 so that clients reconnect elsewhere while the
/// node's routing still works, and stops the host, which exits with <see cref="NodeState.DownedExitCode"/> or
/// <see cref="NodeState.JoinFailedExitCode"/> (or the status Akka gives another failure, 79 for a failed outbound TLS
/// handshake) so that a supervisor starts a fresh node that joins again (0 after a leave: the operator meant it). A planned shutdown (SIGTERM) is left to <see cref="SwitchboardLifecycle"/>.
/// </summary>
public static class ClusterExit
{
    public static void Register(ActorSystem system, IServiceProvider services)
    {
        var shutdown = CoordinatedShutdown.Get(system);
        shutdown.AddTask(CoordinatedShutdown.PhaseBeforeServiceUnbind, "switchboard-exit-when-removed", async () =>
        {
            var reason = shutdown.ShutdownReason;
            var (exitCode, closeReason) = reason switch
            {
                CoordinatedShutdown.ClusterDowningReason => (NodeState.DownedExitCode, "node left the cluster"),
                CoordinatedShutdown.ClusterJoinUnsuccessfulReason => (NodeState.JoinFailedExitCode, "node left the cluster"),
                CoordinatedShutdown.ClusterLeavingReason => (0, "node leaving the cluster"),
                // Any other reason Akka gives a status is a failure too: Akka.Remote's failed outbound TLS handshake (79) is one.
                { ExitCode: not 0 and var code } => (code, "node stopped"),
                _ => (0, null),
            };
            if (closeReason is null)
                return Done.Instance;

            var node = services.GetRequiredService<NodeState>();
            var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ClusterExit));
            var options = services.GetRequiredService<SwitchboardOptions>();
            var hub = services.GetRequiredService<ConnectionHub>();
            if (exitCode == 0)
            {
                node.Draining();
                logger.LogInformation("This node is leaving the cluster (an operator's leave): it stops taking connections, closes " +
                                      "its {Count} connections with 1001 and exits with status 0", hub.Slots.Count);
            }
            else
            {
                node.Down(exitCode);
                Environment.ExitCode = exitCode;
                LogRemoved(logger, options, hub, exitCode, reason!);
            }
            await hub.CloseAllAsync(CloseCode.GoingAway, closeReason, options.ShutdownTimeout);
            services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
            return Done.Instance;
        });
    }

    private static void LogRemoved(ILogger logger, SwitchboardOptions options, ConnectionHub hub, int exitCode, CoordinatedShutdown.Reason reason)
    {
        if (reason is not (CoordinatedShutdown.ClusterDowningReason or CoordinatedShutdown.ClusterJoinUnsuccessfulReason))
        {
            logger.LogError("Akka stopped this node ({Reason}: {Message}): it stops serving, closes its {Count} connections with 1001 " +
                            "and exits with status {ExitCode} so that its supervisor starts a fresh node", reason.GetType().Name, reason,
                hub.Slots.Count, exitCode);
        }
        else if (exitCode == NodeState.DownedExitCode)
        {
            logger.LogError("This node was removed from the cluster (downed by the split brain resolver or an operator, " +
                            "or on the minority side of a partition): it stops serving, closes its {Count} connections with 1001 " +
                            "and exits with status {ExitCode} so that its supervisor starts a fresh node", hub.Slots.Count, exitCode);
        }
        else
        {
            logger.LogError("This node did not manage to join its seed nodes ({Seeds}) within {Timeout} s (CLUSTER_JOIN_TIMEOUT): " +
                            "it exits with status {ExitCode} instead of serving alone as a second cluster",
                string.Join(", ", options.ClusterSeeds), options.ClusterJoinTimeout.TotalSeconds, exitCode);
        }
    }
}

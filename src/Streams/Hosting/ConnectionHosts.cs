using Akka;
using Akka.Actor;
using Akka.Event;
using Akka.Pattern;
using Akka.Streams;
using Akka.Streams.Dsl;

namespace Switchboard.Streams.Hosting;

/// <summary>
/// A node's connection hosts: a fixed number of actors (a few per core), each running many connection graphs, so that
/// a connect costs a graph's interpreter and stage logics but no actor of its own (docs/connections.md, "Hosting").
/// Connections are dealt to the hosts in turn. A host that stops (its actor died) took its connections down with it;
/// it is replaced, and the node goes on.
/// </summary>
public sealed class ConnectionHosts
{
    private readonly ConnectionHost[] _hosts;
    private long _next;

    /// <param name="materializer">Used for the hosts alone: its supervisor's children are the host actors.</param>
    public ConnectionHosts(ActorMaterializer materializer, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        Materializer = materializer;
        ScheduleOnce = materializer.ScheduleOnce;
        // Through the actor system's logging, as the hub's lines go, under the connection's class: the host's log calls
        // them Switchboard.Streams.WebSocketConnection.
        SocketFailureLog = new SocketFailureLog(Logging.GetLogger(materializer.System, typeof(WebSocketConnection)),
            TimeProvider.System);
        _hosts = new ConnectionHost[count];
        for (var i = 0; i < count; i++)
            _hosts[i] = Start(i);
    }

    /// <summary>The default number of hosts: four per core, so every core has work while one host is busy.</summary>
    public static int DefaultCount => 4 * Environment.ProcessorCount;

    public ActorMaterializer Materializer { get; }

    /// <summary>
    /// Schedules on the node's scheduler (a connection's close deadline), as the hosts' materializer does: one delegate
    /// for every connection of the node.
    /// </summary>
    public Func<TimeSpan, Action, ICancelable> ScheduleOnce { get; }

    /// <summary>Where the sockets of every connection of the node report their failures.</summary>
    public SocketFailureLog SocketFailureLog { get; }

    /// <summary>Runs <paramref name="graph"/> on the next host; completes once that host has materialized it.</summary>
    public async Task LaunchAsync(IGraph<ClosedShape, NotUsed> graph)
    {
        // Every host may stop at once only with the node's materializer; then each attempt is refused at once.
        for (var attempt = 0; ; attempt++)
        {
            var host = Volatile.Read(ref _hosts[(int)((ulong)Interlocked.Increment(ref _next) % (ulong)_hosts.Length)]);
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (host.TryLaunch(graph, started))
            {
                try
                {
                    await started.Task;
                    return;
                }
                catch (ConnectionHostStoppedException) when (attempt < _hosts.Length)
                {
                    // Stopped while the connection waited: the next host takes it.
                }
            }
            else if (attempt >= _hosts.Length)
            {
                throw new ConnectionHostStoppedException();
            }
        }
    }

    private ConnectionHost Start(int index)
    {
        var host = Source.FromGraph(new ConnectionHostStage()).ToMaterialized(Sink.Ignore<int>(), Keep.Left).Run(Materializer);
        host.Stopped.ContinueWith(_ => Replace(index), TaskContinuationOptions.ExecuteSynchronously);
        return host;
    }

    private void Replace(int index)
    {
        try
        {
            Volatile.Write(ref _hosts[index], Start(index));
        }
        catch (IllegalStateException)
        {
            // The materializer has shut down with the node: nothing is hosted any more.
        }
    }
}

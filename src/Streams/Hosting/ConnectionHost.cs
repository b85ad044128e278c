using System.Collections.Concurrent;
using Akka;
using Akka.Streams;
using Akka.Streams.Stage;

namespace Switchboard.Streams.Hosting;

/// <summary>
/// One host actor's door: connection graphs handed to <see cref="Launch"/> are materialized by the host stage, inside
/// the host's actor, through its sub-fusing materializer, so that they run as interpreters of that actor rather than
/// each in an actor of its own. The queue, not the callback, holds the launches: a callback invoked on a stopped stage
/// is lost, a queued launch is always either run or refused.
/// </summary>
public sealed class ConnectionHost
{
    private readonly ConcurrentQueue<Launch> _launches = new();
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Action? _wake;
    private int _wakeSent;
    private int _isStopped;

    /// <summary>Completes when the host stage has stopped; its connections' graphs were aborted with it.</summary>
    public Task Stopped => _stopped.Task;

    public bool IsStopped => Volatile.Read(ref _isStopped) == 1;

    /// <summary>
    /// Queues <paramref name="graph"/> for this host; false, with nothing queued, when the host has stopped. Once queued,
    /// <paramref name="started"/> completes when the graph runs, or fails (<see cref="ConnectionHostStoppedException"/>).
    /// </summary>
    // Each side writes its flag or queue with an interlocked operation (a full fence) before it reads the other's,
    // so a launch and a stop, or a launch and the start, cannot both miss each other.
    public bool TryLaunch(IGraph<ClosedShape, NotUsed> graph, TaskCompletionSource started)
    {
        if (IsStopped)
            return false;
        _launches.Enqueue(new Launch(graph, started));
        if (IsStopped)
        {
            // The stage stopped between the check and the enqueue: whatever it left in the queue is refused here.
            RefuseQueued();
            return true;
        }
        Wake();
        return true;
    }

    internal void Started(Action wake)
    {
        Interlocked.Exchange(ref _wake, wake);
        if (!_launches.IsEmpty)
            Wake();
    }

    internal void RunQueued(IMaterializer subFusing)
    {
        // Reset first: a launch queued while this drains sends a wake of its own.
        Interlocked.Exchange(ref _wakeSent, 0);
        while (_launches.TryDequeue(out var launch))
            launch.Run(subFusing);
    }

    internal void Stop()
    {
        Interlocked.Exchange(ref _isStopped, 1);
        RefuseQueued();
        _stopped.TrySetResult();
    }

    // One wake in flight at a time: a storm of connects costs the host one message per drain, not one per connect.
    private void Wake()
    {
        if (Volatile.Read(ref _wake) is { } wake && Interlocked.Exchange(ref _wakeSent, 1) == 0)
            wake();
    }

    private void RefuseQueued()
    {
        while (_launches.TryDequeue(out var launch))
            launch.Refuse();
    }

    private sealed class Launch(IGraph<ClosedShape, NotUsed> graph, TaskCompletionSource started)
    {
        public void Run(IMaterializer subFusing)
        {
            try
            {
                subFusing.Materialize(graph);
                started.TrySetResult();
            }
            catch (Exception e)
            {
                started.TrySetException(e);
            }
        }

        public void Refuse() => started.TrySetException(new ConnectionHostStoppedException());
    }
}

/// <summary>The host a connection was handed to stopped before it could run the connection.</summary>
public sealed class ConnectionHostStoppedException() : Exception("the connection host stopped before it ran the connection");

/// <summary>
/// The stage that is a host: it never emits and never completes on its own; its logic lives as long as its actor and
/// materializes the connection graphs its <see cref="ConnectionHost"/> queues.
/// </summary>
public sealed class ConnectionHostStage : GraphStageWithMaterializedValue<SourceShape<int>, ConnectionHost>
{
    public Outlet<int> Out { get; } = new("connection-host.out");

    public override SourceShape<int> Shape => new(Out);

    public override ILogicAndMaterializedValue<ConnectionHost> CreateLogicAndMaterializedValue(Attributes inheritedAttributes)
    {
        var host = new ConnectionHost();
        return new LogicAndMaterializedValue<ConnectionHost>(new Logic(this, host), host);
    }

    private sealed class Logic : OutGraphStageLogic
    {
        private readonly ConnectionHost _host;

        public Logic(ConnectionHostStage stage, ConnectionHost host) : base(stage.Shape)
        {
            _host = host;
            SetHandler(stage.Out, this);
        }

        public override void PreStart() => _host.Started(GetAsyncCallback(() => _host.RunQueued(SubFusingMaterializer)));

        public override void OnPull()
        {
        }

        public override void PostStop() => _host.Stop();
    }
}

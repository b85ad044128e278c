using Akka.Actor;
using Akka.Hosting;
using Switchboard.Streams;

namespace Switchboard.Actors.Heartbeat;

/// <summary>Messages of the ping scheduler.</summary>
public static class PingProtocol
{
    public sealed record Track(WebSocketConnection Connection);

    public sealed record Untrack(WebSocketConnection Connection);

    internal sealed class Round
    {
        public static readonly Round Instance = new();
    }

    internal sealed class Tick
    {
        public static readonly Tick Instance = new();
    }
}

/// <summary>
/// The node's one heartbeat (EnableGlobalPing=1): instead of a timer per connection, one
/// periodic timer wakes the workers in turn, each owning a partition of the connections, so
/// that every connection is pinged once per interval and the writes spread over it.
/// </summary>
public sealed class PingScheduler : ReceiveActor, IWithTimers
{
    private readonly IActorRef[] _workers;
    private readonly TimeSpan _tickInterval;
    private int _next;

    public PingScheduler(PingSchedulerOptions options)
    {
        _tickInterval = options.Interval / options.Workers;
        _workers = Enumerable.Range(0, options.Workers)
            .Select(i => Context.ActorOf(PingWorker.PropsFor(options.Timeout), $"ping-{i}"))
            .ToArray();

        Receive<PingProtocol.Track>(track => WorkerOf(track.Connection).Forward(track));
        Receive<PingProtocol.Untrack>(untrack => WorkerOf(untrack.Connection).Forward(untrack));
        Receive<PingProtocol.Tick>(_ =>
        {
            _workers[_next].Tell(PingProtocol.Round.Instance);
            _next = (_next + 1) % _workers.Length;
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart() => Timers.StartPeriodicTimer("tick", PingProtocol.Tick.Instance, _tickInterval);

    private IActorRef WorkerOf(WebSocketConnection connection) =>
        _workers[(uint)connection.Id.GetHashCode() % (uint)_workers.Length];

    public static Props PropsFor(PingSchedulerOptions options) => Props.Create(() => new PingScheduler(options));
}

/// <summary>Pings its partition once per round; closes what stayed silent past the timeout.</summary>
public sealed class PingWorker : ReceiveActor
{
    private readonly HashSet<WebSocketConnection> _connections = [];

    public PingWorker(TimeSpan timeout)
    {
        Receive<PingProtocol.Track>(track => _connections.Add(track.Connection));
        Receive<PingProtocol.Untrack>(untrack => _connections.Remove(untrack.Connection));
        Receive<PingProtocol.Round>(_ =>
        {
            var now = Environment.TickCount64;
            foreach (var connection in _connections)
                connection.Heartbeat(now, timeout);
        });
    }

    public static Props PropsFor(TimeSpan timeout) => Props.Create(() => new PingWorker(timeout));
}

/// <param name="Interval">HeartbeatInterval: every connection is pinged once per interval.</param>
/// <param name="Timeout">ConnectionTimeout: silence longer than this closes the connection.</param>
/// <param name="Workers">PingWorkerCount.</param>
public sealed record PingSchedulerOptions(TimeSpan Interval, TimeSpan Timeout, int Workers);

public static class PingSchedulerHostingExtensions
{
    /// <summary>Starts the node's ping scheduler, registered under <see cref="PingScheduler"/>.</summary>
    public static AkkaConfigurationBuilder AddPingScheduler(this AkkaConfigurationBuilder builder, PingSchedulerOptions options) =>
        builder.WithActors((system, registry) =>
            registry.Register<PingScheduler>(system.ActorOf(PingScheduler.PropsFor(options), "ping-scheduler")));
}

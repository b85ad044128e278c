using Akka.Actor;
using Akka.Hosting;
using Switchboard.Actors.Delivery;

namespace Switchboard.Actors.Heartbeat;

/// <summary>Messages of the ping scheduler.</summary>
public static class PingProtocol
{
    /// <summary>To a partition: ping each of your connections; close what stayed silent past the timeout.</summary>
    public sealed class Round
    {
        public static readonly Round Instance = new();
    }

    internal sealed class Tick
    {
        public static readonly Tick Instance = new();
    }
}

/// <summary>
/// The node's one heartbeat (EnableGlobalPing=1): instead of a timer per connection, one periodic timer wakes the
/// node's connection partitions in turn, so that every connection is pinged once per interval and the writes spread over it.
/// </summary>
public sealed class PingScheduler : ReceiveActor, IWithTimers
{
    private readonly IReadOnlyList<IActorRef> _partitions;
    private readonly TimeSpan _tickInterval;
    private int _next;

    public PingScheduler(TimeSpan interval, IReadOnlyList<IActorRef> partitions)
    {
        _partitions = partitions;
        _tickInterval = interval / partitions.Count;
        Receive<PingProtocol.Tick>(_ =>
        {
            _partitions[_next].Tell(PingProtocol.Round.Instance);
            _next = (_next + 1) % _partitions.Count;
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart() => Timers.StartPeriodicTimer("tick", PingProtocol.Tick.Instance, _tickInterval);

    public static Props PropsFor(TimeSpan interval, IReadOnlyList<IActorRef> partitions) =>
        Props.Create(() => new PingScheduler(interval, partitions));
}

public static class PingSchedulerHostingExtensions
{
    /// <summary>Starts the node's ping scheduler over its <paramref name="partitions"/> (after <see cref="NodeConnectionsHostingExtensions.AddNodeConnections"/>).</summary>
    /// <param name="interval">HeartbeatInterval: every connection is pinged once per interval.</param>
    public static AkkaConfigurationBuilder AddPingScheduler(this AkkaConfigurationBuilder builder, TimeSpan interval, NodePartitions partitions) =>
        builder.WithActors((system, registry) =>
            registry.Register<PingScheduler>(system.ActorOf(PingScheduler.PropsFor(interval, partitions.Refs), "ping-scheduler")));
}

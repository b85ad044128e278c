using Akka.Actor;
using Akka.Hosting;
using Switchboard.Actors.Delivery;

namespace Switchboard.Actors.Heartbeat;

/// <summary>Messages of the ping scheduler.</summary>
public static class PingProtocol
{
    /// <summary>
    /// To a partition: ping your connections of slice <paramref name="Slice"/> of <paramref name="Slices"/> (by connection id);
    /// close what stayed silent past the timeout.
    /// </summary>
    public sealed record Round(int Slice, int Slices)
    {
        public bool Holds(string connectionId) => Slices == 1 || (uint)connectionId.GetHashCode() % (uint)Slices == Slice;
    }

    internal sealed class Tick
    {
        public static readonly Tick Instance = new();
    }
}

/// <summary>
/// The node's one heartbeat (EnableGlobalPing=1): instead of a timer per connection, one periodic timer wakes the node's
/// connection partitions in turn, each for a slice of its connections, so that every connection is pinged once per interval
/// and the writes spread over it: a round pings at most 1/<see cref="MinRounds"/> of the node's connections.
/// </summary>
public sealed class PingScheduler : ReceiveActor, IWithTimers
{
    /// <summary>
    /// Rounds per interval at least. Each ping takes a block of Kestrel's socket pool until it is sent, and the pool keeps the
    /// most it ever lent: a quarter of a full node pinged at once held 5–10 MB more for good than a sixteenth.
    /// </summary>
    public const int MinRounds = 16;

    private readonly IReadOnlyList<IActorRef> _partitions;
    private readonly int _slices;
    private readonly TimeSpan _tickInterval;
    private long _tick;

    public PingScheduler(TimeSpan interval, IReadOnlyList<IActorRef> partitions)
    {
        _partitions = partitions;
        _slices = (MinRounds + partitions.Count - 1) / partitions.Count;
        _tickInterval = interval / (partitions.Count * _slices);
        Receive<PingProtocol.Tick>(_ =>
        {
            var partition = (int)(_tick % _partitions.Count);
            var slice = (int)(_tick / _partitions.Count % _slices);
            _partitions[partition].Tell(new PingProtocol.Round(slice, _slices));
            _tick++;
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

using Akka.Actor;
using Switchboard.Actors.Routing;
using Switchboard.Streams;
using Switchboard.Streams.Outbound;

namespace Switchboard.Actors.Delivery;

/// <summary>
/// Owns one partition of the node's connections and hands each broadcast to them, so that a
/// broadcast to a full node runs on several cores at once.
/// </summary>
public sealed class BroadcastWorker : ReceiveActor
{
    private readonly HashSet<WebSocketConnection> _connections = [];

    public BroadcastWorker(BroadcastQueue queue, RoutingCounters counters)
    {
        Receive<Add>(add => _connections.Add(add.Connection));
        Receive<Remove>(remove => _connections.Remove(remove.Connection));
        Receive<DeliveryProtocol.Broadcast>(broadcast =>
        {
            var delivered = 0;
            foreach (var connection in _connections)
            {
                if (connection.Send(broadcast.Frame) is OfferResult.Enqueued or OfferResult.Waiting)
                    delivered++;
            }
            counters.RecordDelivered(DeliveryKind.Broadcast, delivered);
            queue.Done();
        });
    }

    public sealed record Add(WebSocketConnection Connection);

    public sealed record Remove(WebSocketConnection Connection);

    public static Props PropsFor(BroadcastQueue queue, RoutingCounters counters) =>
        Props.Create(() => new BroadcastWorker(queue, counters));
}

/// <summary>How many broadcasts wait for one worker; past the capacity a broadcast skips that worker.</summary>
public sealed class BroadcastQueue(int capacity)
{
    private int _pending;

    public bool TryEnter()
    {
        if (Interlocked.Increment(ref _pending) <= capacity)
            return true;
        Interlocked.Decrement(ref _pending);
        return false;
    }

    public void Done() => Interlocked.Decrement(ref _pending);
}

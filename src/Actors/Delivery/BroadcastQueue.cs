namespace Switchboard.Actors.Delivery;

/// <summary>
/// The broadcasts waiting for one partition, bounded by MessageQueueSize: past it a broadcast skips the partition and its
/// connections' deliveries are counted as dropped. <see cref="Connections"/> is how many that is, as the partition last said.
/// </summary>
public sealed class BroadcastQueue(int capacity)
{
    private int _pending;
    private int _connections;

    public int Connections
    {
        get => Volatile.Read(ref _connections);
        set => Volatile.Write(ref _connections, value);
    }

    public bool TryEnter()
    {
        if (Interlocked.Increment(ref _pending) <= capacity)
            return true;
        Interlocked.Decrement(ref _pending);
        return false;
    }

    public void Done() => Interlocked.Decrement(ref _pending);
}

using Akka.Actor;
using Switchboard.Actors.Routing;

namespace Switchboard.Actors.Delivery.State;

/// <summary>
/// The relayed messages this node has delivered, one bit per sequence number of each relay, so that the second
/// copy of a resent message is dropped. Bits live in chunks of <see cref="ChunkSize"/> numbers; a relay keeps its
/// newest <see cref="KeptChunks"/> chunks, 4M numbers in at most 512 KiB, which outlasts the relay's give-up time
/// at any rate a node sends. A number older than that counts as delivered.
/// </summary>
public sealed class DeliveredStamps
{
    public const int ChunkSize = 1 << 16;
    public const int KeptChunks = 64;

    private readonly Dictionary<IActorRef, Window> _windows = new();

    /// <summary>True the first time <paramref name="stamp"/>'s message arrives; also true for a first copy that was never resent.</summary>
    public bool IsFirstDelivery(RelayStamp stamp, out bool newRelay)
    {
        newRelay = !_windows.TryGetValue(stamp.Relay, out var window);
        if (newRelay)
            _windows[stamp.Relay] = window = new Window();
        return window!.Mark(stamp.Seq);
    }

    /// <summary>The relay's node is gone: its numbers will not come again.</summary>
    public void Forget(IActorRef relay) => _windows.Remove(relay);

    private sealed class Window
    {
        private readonly Dictionary<long, ulong[]> _chunks = new();
        private long _newest = -1;

        public bool Mark(long seq)
        {
            var index = seq / ChunkSize;
            if (index <= _newest - KeptChunks)
                return false;
            if (!_chunks.TryGetValue(index, out var bits))
            {
                _chunks[index] = bits = new ulong[ChunkSize / 64];
                if (index > _newest)
                    Advance(index);
            }
            var offset = (int)(seq % ChunkSize);
            ref var word = ref bits[offset >> 6];
            var mask = 1UL << (offset & 63);
            if ((word & mask) != 0)
                return false;
            word |= mask;
            return true;
        }

        private void Advance(long newest)
        {
            _newest = newest;
            foreach (var old in _chunks.Keys.Where(k => k <= newest - KeptChunks).ToList())
                _chunks.Remove(old);
        }
    }
}

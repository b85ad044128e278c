using Switchboard.Actors.History;
using Switchboard.Streams.Json;
using Switchboard.Streams.Outbound;

namespace Switchboard.Actors.Delivery.State;

/// <summary>
/// Which of the frames routed to one stream of a connection while its position was being read still go out once the
/// position is known: not a message the position already counts, nor a <c>stream_reset</c> to the epoch the position
/// is already in (the entity sent it before it read the position). After a reset to another epoch, everything goes:
/// the numbers started again.
/// </summary>
public sealed class HeldFrames(StreamPosition position)
{
    private bool _newEpoch;

    public bool StillGoes(OutboundFrame frame)
    {
        if (_newEpoch)
            return true;
        if (frame.Seq > 0)
            return frame.Seq > position.Seq;
        if (ServerFrames.StreamResetEpochOf(frame) is not { } epoch)
            return true;
        if (epoch == position.Epoch)
            return false;
        _newEpoch = true;
        return true;
    }
}

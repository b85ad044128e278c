using Switchboard.Actors.History;
using Switchboard.Actors.Routing;
using Switchboard.Streams.Json;
using Switchboard.Streams.Outbound;

namespace Switchboard.Actors.Delivery.State;

/// <summary>
/// Where one connection opened one stream it follows: the position its welcome or join ack gave, which its replay brought
/// it up to. Of the stream's frames, a message that position already counts does not go again, nor a <c>stream_reset</c>
/// to the epoch it is in; a reset to another epoch moves it there, before the new epoch's first message (the numbers
/// start again). It weighs the frames held while the position was read, and the relay's resent copies afterwards
/// (<see cref="PartitionConnections.StillGoes"/>).
/// </summary>
public sealed class StreamMark(StreamPosition position)
{
    private string _epoch = position.Epoch;
    private long _seq = position.Seq;

    public bool StillGoes(OutboundFrame frame)
    {
        if (frame.Seq > 0)
            return frame.Seq > _seq;
        if (ServerFrames.StreamResetEpochOf(frame) is not { } epoch)
            return true;
        if (epoch == _epoch)
            return false;
        (_epoch, _seq) = (epoch, 0);
        return true;
    }

    /// <summary>
    /// Whether a delivery's frame is to be weighed against its recipients' marks once their streams are open: a
    /// <c>stream_reset</c>, which moves them, or a copy the relay sent again. A first copy comes in its entity's order,
    /// after the position the entity gave (one that came before it was held, and weighed then).
    /// </summary>
    public static bool Weighs(OutboundFrame frame, RelayStamp? stamp) =>
        frame.Seq > 0 ? stamp is { Resent: true } : ServerFrames.StreamResetEpochOf(frame) is not null;
}

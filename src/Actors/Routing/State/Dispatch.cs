using Switchboard.Actors.History;
using Switchboard.Streams.Json;
using Switchboard.Streams.Outbound;

namespace Switchboard.Actors.Routing.State;

/// <summary>
/// What an entity sends for one routed message once its stream had its say: <see cref="Frame"/> to each recipient node,
/// stamped with <see cref="Seq"/>; or, when no node gets it, a confirmation to the relay with <see cref="Seq"/> (kept for
/// followers to come) or <see cref="Refusal"/>, counted when <see cref="Undeliverable"/>. Before either,
/// <see cref="StreamReset"/> when the stream started anew while recipients followed it.
/// </summary>
public readonly record struct Dispatch(OutboundFrame? Frame, long Seq, FrameError? Refusal, bool Undeliverable, OutboundFrame? StreamReset)
{
    /// <param name="refusalWithoutRecipients">What the relay hears of an unnumbered message nobody gets (a group refuses it).</param>
    /// <param name="group">The group whose stream it is; null for a user's.</param>
    public static Dispatch Of(in Numbering numbering, bool hasRecipients, FrameError? refusalWithoutRecipients, string? group)
    {
        if (numbering.Refusal is { } refusal)
            return new(null, 0, refusal, false, null);
        if (!numbering.IsNumbered)
            return hasRecipients ? new(numbering.Frame, 0, null, false, null) : new(null, 0, refusalWithoutRecipients, true, null);
        // Numbered is kept: with nobody to give it to now, the sender's ack carries its seq and followers to come replay it.
        var reset = numbering.NewEpoch is { } epoch && hasRecipients ? ServerFrames.StreamReset(group, epoch, numbering.Seq - 1) : null;
        return hasRecipients && numbering.Frame is { } frame
            ? new(frame, numbering.Seq, null, false, reset)
            : new(null, numbering.Seq, null, false, reset);
    }
}

using Switchboard.Streams.Json;
using Switchboard.Streams.Outbound;

namespace Switchboard.Actors.History;

/// <summary>
/// What a stream made of a routed message (<see cref="IStreamKeeper.Append{T}"/>): numbered, left unnumbered (no history,
/// or the store failed with History:OnStoreFailure=deliver) or refused (the store failed with
/// History:OnStoreFailure=refuse). A value, so that asking costs a message no allocation.
/// </summary>
public readonly struct Numbering
{
    private Numbering(bool isNumbered, long seq, OutboundFrame? frame, string? newEpoch, FrameError? refusal)
    {
        IsNumbered = isNumbered;
        Seq = seq;
        Frame = frame;
        NewEpoch = newEpoch;
        Refusal = refusal;
    }

    public bool IsNumbered { get; }

    /// <summary>The message's number in its stream; 0 when it has none.</summary>
    public long Seq { get; }

    /// <summary>The frame to hand to the recipients' nodes; null when only the sender hears of it (a resend already delivered).</summary>
    public OutboundFrame? Frame { get; }

    /// <summary>Set when the stream started (again) with this message: whoever followed it hears the new epoch first.</summary>
    public string? NewEpoch { get; }

    public FrameError? Refusal { get; }

    /// <summary>Goes out as it came, without a seq.</summary>
    public static Numbering Unnumbered(OutboundFrame frame) => new(false, 0, frame, null, null);

    public static Numbering Refused(FrameError refusal) => new(false, 0, null, null, refusal);

    public static Numbering Numbered(long seq, OutboundFrame? deliver, string? newEpoch = null) => new(true, seq, deliver, newEpoch, null);
}

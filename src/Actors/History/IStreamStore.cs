using Switchboard.Streams.Outbound;

namespace Switchboard.Actors.History;

/// <summary>
/// A store that keeps streams outside the entities (History:Store=redis), so that the epoch, the numbers, the kept
/// messages, the resend ids and the receipts survive the loss of any node: whichever entity owns a stream next continues
/// its numbers. Every call is asynchronous; a call the store could not make fails with
/// <see cref="StreamStoreUnavailableException"/>, counted in <see cref="Failures"/>. The memory store is not one of these:
/// it stays inside the entities (<see cref="MemoryHistory"/>).
/// </summary>
public interface IStreamStore
{
    /// <summary>What to do when a call fails: true refuses the message (<c>unavailable</c>), false delivers it without history.</summary>
    bool RefusesOnFailure { get; }

    /// <summary>Calls that failed since the node started.</summary>
    long Failures { get; }

    /// <summary>True while the store is not answering: the last call failed, a moment ago.</summary>
    bool IsFailing { get; }

    /// <summary>Numbers and keeps a message, or finds it already numbered (a resend); <paramref name="append"/>.Reset starts the stream again under a new epoch.</summary>
    Task<StreamAppended> AppendAsync(string stream, StreamAppend append);

    /// <summary>
    /// Where the stream stands and, with <paramref name="resume"/>, the kept messages after it (null when they cannot all be
    /// given); with <paramref name="since"/>, the kept messages after that seq. <paramref name="open"/> starts the stream when
    /// it has none, so that a connection following it gets an epoch.
    /// </summary>
    Task<StreamRead> ReadAsync(string stream, bool open, StreamPosition? resume = null, long? since = null);

    /// <summary>Takes a <c>received</c> up to <paramref name="seq"/>; returns the kept messages it newly covers that asked for a receipt.</summary>
    Task<IReadOnlyList<StreamReceipt>> ConfirmAsync(string stream, long seq);
}

/// <summary>A message to number: who sent it with which id (for resends), and the relay's stamp as a key (its own resends).</summary>
/// <param name="Limits">The stream's own size and TTL (its namespace's); null for the store's settings.</param>
public sealed record StreamAppend(OutboundFrame Frame, string? Sender, ReadOnlyMemory<byte> MessageId, bool WantsReceipt, string? RelayKey,
    bool Reset, HistoryOptions? Limits = null);

/// <summary>
/// The number a message got. <paramref name="Created"/>: the stream started (again) with it, under a new epoch.
/// <paramref name="Repeat"/>: it was numbered before (<paramref name="Frame"/> then is the kept copy when the relay sent it
/// again and it is still kept, else null); otherwise <paramref name="Frame"/> is the numbered frame.
/// </summary>
public sealed record StreamAppended(long Seq, string Epoch, bool Created, StreamRepeat Repeat, OutboundFrame? Frame);

public enum StreamRepeat
{
    None,
    ClientResend,
    RelayResend,
}

/// <summary>
/// A stream's position (null when it has none), its <c>delivered_seq</c>, and the messages asked for: null when a resume
/// cannot be given in full.
/// </summary>
public sealed record StreamRead(StreamPosition? Position, long DeliveredSeq, IReadOnlyList<OutboundFrame>? Messages)
{
    /// <summary>A stream that does not exist: no position, nothing confirmed, nothing to give.</summary>
    public static readonly StreamRead None = new(null, 0, null);
}

/// <summary>A kept message a confirmation covered that asked for a receipt.</summary>
public sealed record StreamReceipt(long Seq, string Sender, byte[] MessageId);

/// <summary>The store did not answer or refused the call.</summary>
public sealed class StreamStoreUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

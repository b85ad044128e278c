using Akka.Actor;
using Akka.Event;
using Switchboard.Streams.Json;

namespace Switchboard.Actors.History;

/// <summary>
/// An entity's streams in an <see cref="IStreamStore"/> (History:Store=redis): its calls, answered in order
/// (<see cref="StoreCalls"/>), and what History:OnStoreFailure makes of a failed one. A message that could not be kept
/// and was delivered anyway leaves a gap in its stream, so the stream's next message starts it again under a new epoch.
/// </summary>
public sealed class StoredStreams(IStreamStore store, IActorRef self, ILoggingAdapter log)
{
    public static readonly FrameError Unavailable = new("unavailable", "the history store is unavailable; send the message again later");

    // Streams that lost a message this entity delivered without the store: their next message resets them.
    private readonly HashSet<string> _gapped = new();

    public StoreCalls Calls { get; } = new(self);

    /// <summary>The stream's own size and TTL (its namespace's), or null for the store's settings.</summary>
    public HistoryOptions? Limits { get; set; }

    /// <summary>Numbers and keeps a message; <paramref name="then"/> hears, in call order, what became of it.</summary>
    public void Append(string stream, IStreamMessage message, Action<Numbering> then)
    {
        var reset = _gapped.Remove(stream);
        var stamp = message.Stamp;
        var relayKey = stamp is null ? null : string.Concat(Akka.Serialization.Serialization.SerializedActorPath(stamp.Relay), "/", stamp.Seq.ToString());
        var append = new StreamAppend(message.Frame, message.Sender, message.MessageId, message.WantsReceipt, relayKey, reset, Limits);
        Calls.Start(store.AppendAsync(stream, append), (appended, failure) =>
        {
            if (appended is null)
            {
                Failed(failure);
                if (store.RefusesOnFailure)
                {
                    if (reset)
                        _gapped.Add(stream);
                    then(Numbering.Refused(Unavailable));
                    return;
                }
                _gapped.Add(stream);
                then(Numbering.Unnumbered(message.Frame));
                return;
            }
            // A relay's copy sent again goes to the nodes again (they drop what they already have); a client's resend does not.
            var deliver = appended.Repeat switch
            {
                StreamRepeat.None => appended.Frame,
                StreamRepeat.RelayResend when stamp is { Resent: true } => appended.Frame,
                _ => null,
            };
            then(Numbering.Numbered(appended.Seq, deliver, appended.Created && appended.Seq > 0 ? appended.Epoch : null));
        });
    }

    /// <summary>Reads a stream (see <see cref="IStreamStore.ReadAsync"/>); <paramref name="then"/> gets null when the store did not answer.</summary>
    public void Read(string stream, bool open, Action<StreamRead?> then, StreamPosition? resume = null, long? since = null) =>
        Calls.Start(store.ReadAsync(stream, open, resume, since), (read, failure) =>
        {
            if (read is null)
                Failed(failure);
            then(read);
        });

    public void Confirm(string stream, long seq, Action<IReadOnlyList<StreamReceipt>> then) =>
        Calls.Start(store.ConfirmAsync(stream, seq), (receipts, failure) =>
        {
            if (receipts is null)
                Failed(failure);
            then(receipts ?? []);
        });

    // The store logs and counts its own failures; anything else is a fault here, logged all the same.
    private void Failed(Exception? failure)
    {
        if (failure is not StreamStoreUnavailableException)
            log.Error(failure, "A history store call failed unexpectedly");
    }
}

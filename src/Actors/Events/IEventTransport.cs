namespace Switchboard.Actors.Events;

/// <summary>Carries one batch to the application (the service POSTs it, signed); the <see cref="EventSender"/> retries.</summary>
public interface IEventTransport
{
    /// <summary>Null when the application took the batch (it answered 2xx); else why not, for the log.</summary>
    Task<string?> SendAsync(ReadOnlyMemory<byte> body);
}

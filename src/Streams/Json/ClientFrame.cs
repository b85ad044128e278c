namespace Switchboard.Streams.Json;

/// <summary>Why a client message could not be used; sent back as an error frame.</summary>
public sealed record FrameError(string Code, string Message);

/// <summary>
/// A decoded client frame. <see cref="Data"/> and <see cref="Id"/> are the raw JSON of those
/// values, slices of the received message: they are passed on without being re-encoded.
/// </summary>
public sealed class ClientFrame
{
    public string? Type { get; init; }
    public string? To { get; init; }
    public string? Group { get; init; }
    public ReadOnlyMemory<byte> Data { get; init; }
    public ReadOnlyMemory<byte> Id { get; init; }

    /// <summary>
    /// The raw JSON of <c>from</c>, unchecked. A connection's frames never use it (the server names the sender);
    /// the HTTP API honours it for a caller allowed to impersonate.
    /// </summary>
    public ReadOnlyMemory<byte> From { get; init; }

    /// <summary><c>"receipt":true</c>: the sender of a direct message asks to hear when its recipient confirmed it.</summary>
    public bool Receipt { get; init; }

    /// <summary>Set when the message is not a usable frame; the other fields may be partial.</summary>
    public FrameError? Error { get; init; }

    public static ClientFrame Invalid(FrameError error, ReadOnlyMemory<byte> id = default) => new() { Error = error, Id = id };
}

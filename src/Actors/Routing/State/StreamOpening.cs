using Switchboard.Actors.History;
using Switchboard.Streams.Outbound;

namespace Switchboard.Actors.Routing.State;

/// <summary>
/// What a connection that opens a stream is told: where the stream stands, what to replay before live messages, and
/// whether the resume it asked for could be honoured (null when it asked for none).
/// </summary>
internal readonly record struct StreamOpening(StreamPosition Position, OutboundFrame[] Replay, bool? Recovered)
{
    /// <summary>From what the keeper read; a null read (the store did not answer) recovers nothing.</summary>
    public static StreamOpening Of(StreamRead? read, StreamPosition? resume) =>
        new(read?.Position ?? StreamPosition.Unknown(), read?.Messages?.ToArray() ?? [], resume is null ? null : read?.Messages is not null);
}

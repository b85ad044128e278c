using System.Text.Json;
using System.Text.Json.Nodes;

namespace Switchboard.Client;

// What the client hands the application: the data of the server's frames (docs/protocol.md), read with the source
// generated ClientJsonContext. A frame whose shape does not match is reported as invalid_frame, never thrown at a caller.

/// <summary>A stream's place: its epoch (changes when its history was lost) and the last seq the client has.</summary>
public sealed record StreamPosition(string Epoch, long Seq);

/// <summary>The stream positions a client holds: its user stream and each group's.</summary>
public sealed record StreamPositions(StreamPosition? User, IReadOnlyDictionary<string, StreamPosition> Groups);

/// <summary>The <c>data</c> of the server's <c>welcome</c>.</summary>
public sealed record Welcome
{
    public string UserId { get; init; } = "";
    public string ConnectionId { get; init; } = "";
    public string Node { get; init; } = "";
    /// <summary>With history on: the positions of the user stream and of the groups joined at connect.</summary>
    public WelcomeStreams? Streams { get; init; }
    /// <summary>What the application's connect hook gave the connection (<c>data.app</c>), when it gave something.</summary>
    public JsonElement? App { get; init; }
}

/// <summary>The stream positions a welcome names.</summary>
public sealed record WelcomeStreams
{
    public StreamPosition? User { get; init; }
    public Dictionary<string, StreamPosition>? Groups { get; init; }
}

/// <summary>The server's <c>ack</c> of a frame: <see cref="Seq"/> is a message's place in its stream with history on.</summary>
public sealed record Ack(string Id, long? Seq, string? Epoch, JsonElement Data);

/// <summary>A routed frame (direct, group or broadcast) as the server sent it; <see cref="Frame"/> is the whole of it.</summary>
public sealed record Message(string Type, string? From, string? To, string? Group, long? Seq, string? Id, JsonElement Data, JsonElement Frame)
{
    /// <summary>The data as <typeparamref name="T"/>, read with the application's source-generated type info.</summary>
    public T? DataAs<T>(System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo) =>
        Data.ValueKind == JsonValueKind.Undefined ? default : Data.Deserialize(typeInfo);
}

/// <summary>
/// The end of a stream's replay, or a gap the application should fill from its own backend (<see cref="Recovered"/> false).
/// </summary>
public sealed record Resumed
{
    /// <summary><c>user</c> for the user stream; null for a group.</summary>
    public string? Stream { get; init; }
    public string? Group { get; init; }
    /// <summary>False: messages may have been missed; reload that stream from your own backend or the history API.</summary>
    public bool Recovered { get; init; }
    public string? Epoch { get; init; }
    public long? Seq { get; init; }
    /// <summary>
    /// Why <see cref="Recovered"/> is false when the server did not say it in a <c>resumed</c> frame:
    /// <c>stream_reset</c> (the stream's history was lost while connected) or <c>no_position</c> (a reconnect without a
    /// position to resume from: history off).
    /// </summary>
    public string? Reason { get; init; }
}

/// <summary>A recipient confirmed a direct message sent with a receipt asked for: <see cref="Id"/> is that message's id.</summary>
public sealed record Receipt(string? Id, string? To, long? Seq, string? Status, JsonElement Frame);

/// <summary>The server's <c>token_expiring</c>: the token runs out in <see cref="ExpiresIn"/> seconds.</summary>
public sealed record TokenExpiring
{
    public long? ExpiresIn { get; init; }
}

/// <summary>One connection of a user in a group, as a <c>presence</c> answer names it.</summary>
public sealed record PresenceConnection
{
    public string ConnectionId { get; init; } = "";
    /// <summary>The node the connection is on.</summary>
    public string Node { get; init; } = "";
    /// <summary>What the connect hook gave the connection, or its token's <c>info</c> claim.</summary>
    public JsonElement? Info { get; init; }
}

/// <summary>One page of a group's users, in user-id order; with <see cref="Complete"/> false ask again with <see cref="Cursor"/>.</summary>
public sealed record PresencePage
{
    public Dictionary<string, List<PresenceConnection>> Users { get; init; } = new();
    public bool Complete { get; init; }
    public string? Cursor { get; init; }
}

/// <summary>How many users and connections a group has.</summary>
public sealed record PresenceStats
{
    public long Users { get; init; }
    public long Connections { get; init; }
}

/// <summary>A connection entered <see cref="Group"/>; <see cref="First"/> when it is the user's only one there.</summary>
public sealed record PresenceJoin
{
    public string Group { get; init; } = "";
    public string UserId { get; init; } = "";
    public string ConnectionId { get; init; } = "";
    public JsonElement? Info { get; init; }
    public bool First { get; init; }
}

/// <summary>
/// A connection left <see cref="Group"/>; <see cref="Last"/> when the user has none left there; <see cref="Reason"/> is
/// <c>left</c>, <c>closed</c> or <c>node_lost</c>.
/// </summary>
public sealed record PresenceLeave
{
    public string Group { get; init; } = "";
    public string UserId { get; init; } = "";
    public string ConnectionId { get; init; } = "";
    public bool Last { get; init; }
    public string Reason { get; init; } = "";
}

/// <summary>
/// The counts a busy group's members get at most once a second instead of events that would cost too much: a list kept
/// from events should be fetched again.
/// </summary>
public sealed record PresenceResync
{
    public string Group { get; init; } = "";
    public long Users { get; init; }
    public long Connections { get; init; }
}

/// <summary>The group's list was rebuilt after its keeper's node was lost, and events were missed: fetch it again.</summary>
public sealed record PresenceReset(string Group);

/// <summary>A direct (<see cref="To"/>) or group (<see cref="Group"/>) message to send: exactly one of them.</summary>
public sealed record OutgoingMessage
{
    public string? To { get; init; }
    public string? Group { get; init; }
    /// <summary>Any non-empty type but the service's reserved ones (<see cref="SwitchboardClient.IsReservedType"/>).</summary>
    public required string Type { get; init; }
    /// <summary>Any JSON value: <c>"text"</c>, <c>42</c>, a <see cref="JsonObject"/>, <c>JsonValue.Create(element)</c>.</summary>
    public JsonNode? Data { get; init; }
    /// <summary>Ask for a receipt once the recipient confirms it (direct messages, history on).</summary>
    public bool Receipt { get; init; }
    /// <summary>Generated when null; a resend with the same id is not delivered twice (history on).</summary>
    public string? Id { get; init; }

    /// <summary>A direct message to <paramref name="to"/>.</summary>
    public static OutgoingMessage ToUser(string to, string type, JsonNode? data = null) => new() { To = to, Type = type, Data = data };

    /// <summary>A message to every member of <paramref name="group"/>.</summary>
    public static OutgoingMessage ToGroup(string group, string type, JsonNode? data = null) => new() { Group = group, Type = type, Data = data };
}

using System.Text.Json;

namespace Switchboard.Client;

/// <summary>
/// One frame from the server, read once: the fields the client acts on, and the whole of it for the application. A
/// frame that is not a JSON object with a string <c>type</c> is not a frame (<see cref="TryRead"/> is false).
/// </summary>
internal sealed class IncomingFrame
{
    public required JsonElement Root { get; init; }
    public required string Type { get; init; }
    /// <summary>The frame's id when it is a string (the client's ids are); null otherwise.</summary>
    public string? Id { get; init; }
    /// <summary>Whether the frame has a <c>from</c> at all: routed frames always do, the service's own never.</summary>
    public bool HasFrom { get; init; }
    public string? From { get; init; }
    public string? To { get; init; }
    public string? Group { get; init; }
    public long? Seq { get; init; }
    /// <summary><c>data</c>, or an element of kind Undefined when the frame has none.</summary>
    public JsonElement Data { get; init; }

    public static bool TryRead(ReadOnlySpan<byte> utf8, out IncomingFrame frame)
    {
        frame = null!;
        JsonElement root;
        try
        {
            var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = 64 });
            root = JsonElement.ParseValue(ref reader);
        }
        catch (JsonException)
        {
            return false;
        }
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
            return false;
        var hasFrom = root.TryGetProperty("from", out var from);
        frame = new IncomingFrame
        {
            Root = root,
            Type = type.GetString()!,
            Id = StringOf(root, "id"),
            HasFrom = hasFrom,
            From = hasFrom && from.ValueKind == JsonValueKind.String ? from.GetString() : null,
            To = StringOf(root, "to"),
            Group = StringOf(root, "group"),
            Seq = root.TryGetProperty("seq", out var seq) && seq.TryGetInt64(out var number) ? number : null,
            Data = root.TryGetProperty("data", out var data) ? data : default,
        };
        return true;
    }

    private static string? StringOf(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public Message ToMessage() => new(Type, From, To, Group, Seq, Id, Data, Root);
}

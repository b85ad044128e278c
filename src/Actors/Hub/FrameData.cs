using System.Text.Json;
using Switchboard.Actors.History;
using Switchboard.Actors.Hooks;
using Switchboard.Actors.Routing;
using Switchboard.Streams.Json;

namespace Switchboard.Actors.Hub;

/// <summary>An <c>rpc</c> frame's <c>data</c>: <c>{"method":"...","params":...}</c>.</summary>
public sealed record RpcCall(string Method, JsonElement Params)
{
    public const int MaxMethodLength = 128;
}

/// <summary>
/// The fields client frames carry in <c>data</c>, read in one place (the frame's JSON was checked by the decoder). A reader
/// of an optional field answers null and no value when it is absent, and the error frame's content when it has the wrong shape.
/// </summary>
public static class FrameData
{
    public delegate FrameError? Reader<T>(ReadOnlyMemory<byte> data, out T? value) where T : class;

    private static readonly FrameError BadResume = new("invalid_field", "data.resume is {\"epoch\":\"<letters and digits>\",\"seq\":<0 or more>}");
    private static readonly FrameError BadCursor = new("invalid_field", "data.cursor is the user id a page ended with");

    /// <summary><c>data.resume</c> of a join: <c>{"epoch":"...","seq":N}</c>.</summary>
    public static FrameError? TryResume(ReadOnlyMemory<byte> data, out StreamPosition? resume)
    {
        var (found, position) = Field(data, "resume", static given =>
            given.ValueKind == JsonValueKind.Object && given.TryGetProperty("epoch", out var epoch) && epoch.ValueKind == JsonValueKind.String
            && StreamPosition.IsEpoch(epoch.GetString()) && given.TryGetProperty("seq", out var seq) && seq.TryGetInt64(out var n) && n >= 0
                ? new StreamPosition(epoch.GetString()!, n)
                : null);
        resume = position;
        return found && position is null ? BadResume : null;
    }

    /// <summary><c>data.cursor</c> of a presence request: the user id the last page ended with (null is none).</summary>
    public static FrameError? TryCursor(ReadOnlyMemory<byte> data, out string? cursor)
    {
        var (found, value) = Field(data, "cursor", static given => given.ValueKind switch
        {
            JsonValueKind.Null => "",
            JsonValueKind.String when Names.Check(given.GetString(), NameKind.UserId) is null => given.GetString(),
            _ => null,
        });
        cursor = value is { Length: > 0 } ? value : null;
        return found && value is null ? BadCursor : null;
    }

    /// <summary><c>data.seq</c> of a <c>received</c>: a number of 0 or more; null when absent or not one.</summary>
    public static long? Seq(ReadOnlyMemory<byte> data) =>
        Field(data, "seq", static seq => seq.TryGetInt64(out var n) && n >= 0 ? (long?)n : null).Value;

    /// <summary><c>data.token</c> of a <c>refresh</c>; null when absent or not a string.</summary>
    public static string? Token(ReadOnlyMemory<byte> data) =>
        Field(data, "token", static token => token.ValueKind == JsonValueKind.String ? token.GetString() : null).Value;

    /// <summary>An <c>rpc</c>'s method (a string of 1 to 128 characters) and params (JSON null when absent); null without a method.</summary>
    public static RpcCall? Rpc(ReadOnlyMemory<byte> data)
    {
        if (data.IsEmpty)
            return null;
        using var json = JsonDocument.Parse(data);
        var root = json.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("method", out var method) || method.ValueKind != JsonValueKind.String
            || method.GetString() is not { Length: > 0 and <= RpcCall.MaxMethodLength } name)
            return null;
        return new RpcCall(name, root.TryGetProperty("params", out var parameters) ? parameters.Clone() : HookValues.Null);
    }

    // Reads one field of a data object within the parse; Found is false when data is not an object or has no such field.
    private static (bool Found, T? Value) Field<T>(ReadOnlyMemory<byte> data, string name, Func<JsonElement, T?> read)
    {
        if (data.IsEmpty)
            return (false, default);
        using var json = JsonDocument.Parse(data);
        return json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty(name, out var field)
            ? (true, read(field))
            : (false, default);
    }
}

using System.Text.Json;

namespace Switchboard.Actors.Hub;

/// <summary>
/// What a connection's <c>info</c> may be (PROTOCOL.md "Presence"): a JSON object of at most 1 KB, written compactly. The one
/// rule for every source of it: the token's <c>info</c> claim and the connect and refresh hooks' answers.
/// </summary>
public static class PresenceInfo
{
    public const int MaxBytes = 1024;

    public const string Rule = "info is a JSON object of at most 1 KB";

    /// <summary>The compact bytes of <paramref name="value"/>, or null when it breaks the rule.</summary>
    public static byte[]? Of(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object)
            return null;
        var bytes = JsonSerializer.SerializeToUtf8Bytes(value);
        return bytes.Length <= MaxBytes ? bytes : null;
    }
}

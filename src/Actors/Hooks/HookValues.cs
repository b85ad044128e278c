using System.Text.Json;

namespace Switchboard.Actors.Hooks;

/// <summary>JSON values as hook requests carry them: what the client or the token gave, or JSON null when nothing.</summary>
public static class HookValues
{
    public static readonly JsonElement Null = JsonDocument.Parse("null").RootElement.Clone();

    public static JsonElement Of(ReadOnlyMemory<byte> json)
    {
        if (json.IsEmpty)
            return Null;
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    public static JsonElement Of(byte[]? json) => json is null ? Null : Of(json.AsMemory());
}

using System.Text.Json;
using System.Text.Json.Serialization;

namespace Switchboard.Client;

/// <summary>The server's frame data the client reads, with System.Text.Json's source generator: no reflection, safe to trim.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(Welcome))]
[JsonSerializable(typeof(Resumed))]
[JsonSerializable(typeof(TokenExpiring))]
[JsonSerializable(typeof(PresencePage))]
[JsonSerializable(typeof(PresenceStats))]
[JsonSerializable(typeof(PresenceJoin))]
[JsonSerializable(typeof(PresenceLeave))]
[JsonSerializable(typeof(PresenceResync))]
[JsonSerializable(typeof(ErrorData))]
[JsonSerializable(typeof(AckData))]
[JsonSerializable(typeof(ReceiptData))]
internal sealed partial class ClientJsonContext : JsonSerializerContext
{
    /// <summary>
    /// <paramref name="data"/> as <typeparamref name="T"/>; null when it is absent or of another shape (the caller
    /// reports that as an invalid frame).
    /// </summary>
    public static T? Read<T>(JsonElement data, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo) where T : class
    {
        if (data.ValueKind != JsonValueKind.Object) return null;
        try
        {
            return data.Deserialize(typeInfo);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

internal sealed record ErrorData(string? Code, string? Message);

internal sealed record AckData(long? Seq, string? Epoch);

internal sealed record ReceiptData(long? Seq, string? Status);

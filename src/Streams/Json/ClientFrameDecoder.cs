using System.Text.Json;
using Switchboard.Streams.Inbound;

namespace Switchboard.Streams.Json;

/// <summary>Decodes a client message into a <see cref="ClientFrame"/>, in one pass over the bytes.</summary>
public static class ClientFrameDecoder
{
    public static ClientFrame Decode(InboundMessage message) => Decode(message.Payload);

    public static ClientFrame Decode(ReadOnlyMemory<byte> utf8)
    {
        string? type = null, to = null, group = null;
        ReadOnlyMemory<byte> data = default, id = default, from = default;
        var typeSeen = false;
        var receipt = false;
        FrameError? fieldError = null;
        var reader = new Utf8JsonReader(utf8.Span, new JsonReaderOptions { MaxDepth = 64 });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                return ClientFrame.Invalid(Errors.NotAnObject);
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.ValueSpan;
                reader.Read();
                if (name.SequenceEqual("type"u8))
                {
                    typeSeen = true;
                    type = ReadString(ref reader, "type", ref fieldError);
                }
                else if (name.SequenceEqual("to"u8))
                    to = ReadString(ref reader, "to", ref fieldError);
                else if (name.SequenceEqual("group"u8))
                    group = ReadString(ref reader, "group", ref fieldError);
                else if (name.SequenceEqual("data"u8))
                    data = RawValue(utf8, ref reader);
                else if (name.SequenceEqual("id"u8))
                    id = RawValue(utf8, ref reader);
                else if (name.SequenceEqual("from"u8))
                    from = RawValue(utf8, ref reader);
                else if (name.SequenceEqual("receipt"u8))
                    receipt = ReadBool(ref reader, "receipt", ref fieldError);
                else
                    reader.Skip();
            }
            if (reader.Read())
                return ClientFrame.Invalid(Errors.TrailingData, id);
        }
        catch (JsonException)
        {
            return ClientFrame.Invalid(Errors.InvalidJson, id);
        }

        if (fieldError is not null)
            return ClientFrame.Invalid(fieldError, id);
        if (!typeSeen || string.IsNullOrEmpty(type))
            return ClientFrame.Invalid(Errors.MissingType, id);
        return new ClientFrame { Type = type, To = to, Group = group, Data = data, Id = id, From = from, Receipt = receipt };
    }

    private static bool ReadBool(ref Utf8JsonReader reader, string field, ref FrameError? error)
    {
        if (reader.TokenType is JsonTokenType.True or JsonTokenType.False)
            return reader.GetBoolean();
        if (reader.TokenType != JsonTokenType.Null)
            error ??= new FrameError("invalid_field", $"\"{field}\" must be true or false");
        reader.Skip();
        return false;
    }

    private static string? ReadString(ref Utf8JsonReader reader, string field, ref FrameError? error)
    {
        if (reader.TokenType == JsonTokenType.String)
            return reader.GetString();
        if (reader.TokenType != JsonTokenType.Null)
            error ??= new FrameError("invalid_field", $"\"{field}\" must be a string");
        reader.Skip();
        return null;
    }

    private static ReadOnlyMemory<byte> RawValue(ReadOnlyMemory<byte> utf8, ref Utf8JsonReader reader)
    {
        var start = (int)reader.TokenStartIndex;
        reader.Skip();
        return utf8[start..(int)reader.BytesConsumed];
    }

    private static class Errors
    {
        public static readonly FrameError InvalidJson = new("invalid_json", "the message is not valid JSON");
        public static readonly FrameError NotAnObject = new("invalid_json", "a frame must be a JSON object");
        public static readonly FrameError TrailingData = new("invalid_json", "unexpected data after the JSON object");
        public static readonly FrameError MissingType = new("missing_field", "\"type\" is required");
    }
}

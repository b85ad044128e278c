using System.Buffers;
using System.Text.Json;
using Switchboard.Streams.Inbound;

namespace Switchboard.Streams.Json;

/// <summary>
/// Decodes a client message into a <see cref="ClientFrame"/>, in one pass over the bytes. The bytes are valid UTF-8
/// already (each door checks that: the message assembler for a socket, the API's body reader for HTTP); what only
/// decoding shows is an escape that makes invalid text (<c>"\ud800"</c>, a lone surrogate), anywhere in the frame, and
/// such a frame is refused: it would break a recipient's JSON parser or a history reader, whichever field carries it.
/// </summary>
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
                // Compared unescaped: "\u0074ype" is "type", as any client's JSON parser reads it.
                var field = Field.Other;
                if (IsValidText(ref reader))
                    field = FieldOf(ref reader);
                else
                    fieldError ??= Errors.InvalidText;
                reader.Read();
                switch (field)
                {
                    case Field.Type:
                        typeSeen = true;
                        type = ReadString(ref reader, "type", ref fieldError);
                        break;
                    case Field.To:
                        to = ReadString(ref reader, "to", ref fieldError);
                        break;
                    case Field.Group:
                        group = ReadString(ref reader, "group", ref fieldError);
                        break;
                    case Field.Data:
                        data = RawValue(utf8, ref reader, ref fieldError);
                        break;
                    case Field.Id:
                        // An id that is not valid text is not echoed on the error that refuses it.
                        FrameError? idError = null;
                        id = RawValue(utf8, ref reader, ref idError);
                        if (idError is not null)
                            (id, fieldError) = (default, fieldError ?? idError);
                        break;
                    case Field.From:
                        from = RawValue(utf8, ref reader, ref fieldError);
                        break;
                    case Field.Receipt:
                        receipt = ReadBool(ref reader, "receipt", ref fieldError);
                        break;
                    default:
                        RawValue(utf8, ref reader, ref fieldError);
                        break;
                }
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

    private enum Field { Other, Type, To, Group, Data, Id, From, Receipt }

    private static Field FieldOf(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("type"u8) ? Field.Type
        : reader.ValueTextEquals("to"u8) ? Field.To
        : reader.ValueTextEquals("group"u8) ? Field.Group
        : reader.ValueTextEquals("data"u8) ? Field.Data
        : reader.ValueTextEquals("id"u8) ? Field.Id
        : reader.ValueTextEquals("from"u8) ? Field.From
        : reader.ValueTextEquals("receipt"u8) ? Field.Receipt
        : Field.Other;

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
        {
            if (IsValidText(ref reader))
                return reader.GetString();
            error ??= Errors.InvalidText;
            return null;
        }
        if (reader.TokenType != JsonTokenType.Null)
            error ??= new FrameError("invalid_field", $"\"{field}\" must be a string");
        reader.Skip();
        return null;
    }

    // The value's bytes as they came, walked token by token (as Skip would) to check every escaped string in it.
    private static ReadOnlyMemory<byte> RawValue(ReadOnlyMemory<byte> utf8, ref Utf8JsonReader reader, ref FrameError? error)
    {
        var start = (int)reader.TokenStartIndex;
        if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
        {
            var depth = reader.CurrentDepth;
            while (reader.Read() && reader.CurrentDepth > depth)
            {
                if (!IsValidText(ref reader))
                    error ??= Errors.InvalidText;
            }
        }
        else if (!IsValidText(ref reader))
            error ??= Errors.InvalidText;
        return utf8[start..(int)reader.BytesConsumed];
    }

    // Unescaped strings are the message's own bytes, valid UTF-8 already; an escaped one is valid only if it unescapes.
    private static bool IsValidText(ref Utf8JsonReader reader)
    {
        if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.PropertyName) || !reader.ValueIsEscaped)
            return true;
        var length = reader.HasValueSequence ? (int)reader.ValueSequence.Length : reader.ValueSpan.Length;
        var rented = ArrayPool<char>.Shared.Rent(length);
        try
        {
            reader.CopyString(rented);
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
        finally
        {
            ArrayPool<char>.Shared.Return(rented);
        }
    }

    private static class Errors
    {
        public static readonly FrameError InvalidJson = new("invalid_json", "the message is not valid JSON");
        public static readonly FrameError NotAnObject = new("invalid_json", "a frame must be a JSON object");
        public static readonly FrameError TrailingData = new("invalid_json", "unexpected data after the JSON object");
        public static readonly FrameError MissingType = new("missing_field", "\"type\" is required");

        public static readonly FrameError InvalidText =
            new("invalid_json", "a string in the frame escapes to invalid text (a lone UTF-16 surrogate)");
    }
}

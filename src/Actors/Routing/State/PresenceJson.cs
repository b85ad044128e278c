using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Switchboard.Actors.Routing.State;

/// <summary>The <c>data</c> of presence answers (PROTOCOL.md "Presence"), the same bytes for a frame and for the HTTP API.</summary>
internal static class PresenceJson
{
    private static readonly JsonWriterOptions Options = new()
    {
        SkipValidation = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static byte[] Page(GroupState state, string? cursor, int pageSize)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using var w = new Utf8JsonWriter(buffer, Options);
        w.WriteStartObject();
        w.WriteStartObject("users"u8);
        string? last = null;
        var written = 0;
        var complete = true;
        foreach (var (userId, connections) in state.UsersAfter(cursor))
        {
            if (written == pageSize)
            {
                complete = false;
                break;
            }
            w.WriteStartArray(userId);
            foreach (var connectionId in connections)
            {
                var member = state.Member(connectionId);
                w.WriteStartObject();
                w.WriteString("connection_id"u8, connectionId);
                w.WriteString("node"u8, member.NodeName);
                if (member.Info is { } info)
                {
                    w.WritePropertyName("info"u8);
                    w.WriteRawValue(info, skipInputValidation: true);
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
            last = userId;
            written++;
        }
        w.WriteEndObject();
        w.WriteBoolean("complete"u8, complete);
        if (!complete)
            w.WriteString("cursor"u8, last);
        w.WriteEndObject();
        w.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    public static byte[] Stats(int users, int connections)
    {
        var buffer = new ArrayBufferWriter<byte>(48);
        using var w = new Utf8JsonWriter(buffer, Options);
        w.WriteStartObject();
        w.WriteNumber("users"u8, users);
        w.WriteNumber("connections"u8, connections);
        w.WriteEndObject();
        w.Flush();
        return buffer.WrittenSpan.ToArray();
    }
}

using System.Text.Json;
using Switchboard.Streams.Outbound;

namespace Switchboard.Streams.Json;

/// <summary>
/// The presence frames (PROTOCOL.md "Presence"). None carries <c>from</c> or <c>seq</c>: they are the service's own and
/// belong to no stream. <c>info</c> and answers' <c>data</c> are raw JSON checked where they came in.
/// </summary>
public static class PresenceFrames
{
    /// <summary><c>{"type":"presence"|"presence_stats","group":...,"id":...,"data":...}</c>: the answer to a request.</summary>
    public static OutboundFrame Answer(bool stats, string group, ReadOnlyMemory<byte> id, ReadOnlyMemory<byte> data) =>
        ServerFrames.Encode((stats, group, id, data), static (w, s) =>
        {
            w.WriteString("type"u8, s.stats ? "presence_stats"u8 : "presence"u8);
            w.WriteString("group"u8, s.group);
            w.WritePropertyName("id"u8);
            w.WriteRawValue(s.id.Span, skipInputValidation: true);
            w.WritePropertyName("data"u8);
            w.WriteRawValue(s.data.Span, skipInputValidation: true);
        });

    /// <summary><c>{"type":"presence_join","group":...,"data":{"user_id","connection_id","info","first"}}</c>.</summary>
    public static OutboundFrame Join(string group, string userId, string connectionId, ReadOnlyMemory<byte> info, bool first) =>
        ServerFrames.Encode((group, userId, connectionId, info, first), static (w, s) =>
        {
            w.WriteString("type"u8, "presence_join"u8);
            w.WriteString("group"u8, s.group);
            w.WriteStartObject("data"u8);
            WriteConnection(w, s.userId, s.connectionId);
            if (!s.info.IsEmpty)
            {
                w.WritePropertyName("info"u8);
                w.WriteRawValue(s.info.Span, skipInputValidation: true);
            }
            w.WriteBoolean("first"u8, s.first);
            w.WriteEndObject();
        });

    /// <summary><c>{"type":"presence_leave","group":...,"data":{"user_id","connection_id","last","reason"}}</c>.</summary>
    public static OutboundFrame Leave(string group, string userId, string connectionId, bool last, string reason) =>
        ServerFrames.Encode((group, userId, connectionId, last, reason), static (w, s) =>
        {
            w.WriteString("type"u8, "presence_leave"u8);
            w.WriteString("group"u8, s.group);
            w.WriteStartObject("data"u8);
            WriteConnection(w, s.userId, s.connectionId);
            w.WriteBoolean("last"u8, s.last);
            w.WriteString("reason"u8, s.reason);
            w.WriteEndObject();
        });

    /// <summary>The coalesced <c>presence_stats</c> members get instead of events while their cost is over the group's rate.</summary>
    public static OutboundFrame Coalesced(string group, int users, int connections) =>
        ServerFrames.Encode((group, users, connections), static (w, s) =>
        {
            w.WriteString("type"u8, "presence_stats"u8);
            w.WriteString("group"u8, s.group);
            w.WriteStartObject("data"u8);
            w.WriteNumber("users"u8, s.users);
            w.WriteNumber("connections"u8, s.connections);
            w.WriteBoolean("coalesced"u8, true);
            w.WriteBoolean("resync"u8, true);
            w.WriteEndObject();
        });

    /// <summary><c>{"type":"presence_reset","group":...}</c>: the group's list was rebuilt; fetch it again.</summary>
    public static OutboundFrame Reset(string group) => ServerFrames.Encode(group, static (w, g) =>
    {
        w.WriteString("type"u8, "presence_reset"u8);
        w.WriteString("group"u8, g);
    });

    private static void WriteConnection(Utf8JsonWriter w, string userId, string connectionId)
    {
        w.WriteString("user_id"u8, userId);
        w.WriteString("connection_id"u8, connectionId);
    }
}

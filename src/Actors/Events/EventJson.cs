using System.Buffers;
using System.Text.Json;
using static Switchboard.Actors.Events.EventsProtocol;

namespace Switchboard.Actors.Events;

/// <summary>
/// The events as the application gets them (PROTOCOL.md "Lifecycle events"), each encoded once, when it is made:
/// <c>{"id","type","user_id","connection_id","node","group","at","data"}</c> for a connection's (<c>group</c> null but for
/// <c>joined</c> and <c>left</c>), <c>{"id","type","node","at"}</c> for <c>node_down</c>, and a batch
/// <c>{"events":[...]}</c> of encoded events.
/// </summary>
public static class EventJson
{
    private static readonly byte[] BatchStart = "{\"events\":["u8.ToArray();
    private static readonly byte[] BatchEnd = "]}"u8.ToArray();

    public static byte[] Of(string id, IConnectionEvent happened, string node) => Write(w =>
    {
        var (type, group) = happened switch
        {
            Connected => ("connected", null),
            Joined j => ("joined", j.Group),
            Left l => ("left", l.Group),
            Disconnected => ("disconnected", (string?)null),
            _ => throw new ArgumentOutOfRangeException(nameof(happened), happened.GetType().Name),
        };
        w.WriteString("id", id);
        w.WriteString("type", type);
        w.WriteString("user_id", happened.UserId);
        w.WriteString("connection_id", happened.ConnectionId);
        w.WriteString("node", node);
        w.WriteString("group", group);
        w.WriteNumber("at", happened.At.ToUnixTimeMilliseconds());
        w.WriteStartObject("data");
        switch (happened)
        {
            case Connected c:
                Info(w, c.Info);
                break;
            case Joined j:
                Info(w, j.Info);
                break;
            case Disconnected d:
                w.WriteNumber("code", d.Code);
                w.WriteString("reason", d.Reason);
                w.WriteNumber("duration_ms", d.DurationMs);
                break;
        }
        w.WriteEndObject();
    });

    public static byte[] NodeDown(string id, string lostNode, DateTimeOffset at) => Write(w =>
    {
        w.WriteString("id", id);
        w.WriteString("type", "node_down");
        w.WriteString("node", lostNode);
        w.WriteNumber("at", at.ToUnixTimeMilliseconds());
    });

    /// <summary>The first event of a batch after some were dropped: how many, since the last such report.</summary>
    public static byte[] Dropped(string id, string node, long count, DateTimeOffset at) => Write(w =>
    {
        w.WriteString("id", id);
        w.WriteString("type", "events_dropped");
        w.WriteString("node", node);
        w.WriteNumber("at", at.ToUnixTimeMilliseconds());
        w.WriteStartObject("data");
        w.WriteNumber("count", count);
        w.WriteEndObject();
    });

    /// <summary><c>{"events":[...]}</c> of events already encoded.</summary>
    public static byte[] Batch(IEnumerable<byte[]> events)
    {
        var body = new ArrayBufferWriter<byte>();
        body.Write(BatchStart);
        var first = true;
        foreach (var e in events)
        {
            if (!first)
                body.Write(","u8);
            body.Write(e);
            first = false;
        }
        body.Write(BatchEnd);
        return body.WrittenSpan.ToArray();
    }

    /// <summary>The fields of a <c>disconnected</c> a store writes for a lost connection: user_id, connection_id, node, without braces.</summary>
    public static byte[] LostConnectionFields(OpenConnection open)
    {
        var json = Write(w =>
        {
            w.WriteString("user_id", open.UserId);
            w.WriteString("connection_id", open.ConnectionId);
            w.WriteString("node", open.Node);
        });
        return json[1..^1];
    }

    private static void Info(Utf8JsonWriter w, byte[]? info)
    {
        w.WritePropertyName("info");
        if (info is null)
            w.WriteNullValue();
        else
            w.WriteRawValue(info);
    }

    private static byte[] Write(Action<Utf8JsonWriter> fields)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            fields(w);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}

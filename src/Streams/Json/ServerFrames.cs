using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Switchboard.Streams.Framing;
using Switchboard.Streams.Outbound;

namespace Switchboard.Streams.Json;

/// <summary>Encodes the frames the server sends (PROTOCOL.md), each straight into frame bytes.</summary>
public static class ServerFrames
{
    public static readonly OutboundFrame Pong = OutboundFrame.Text("""{"type":"pong"}"""u8);

    /// <param name="userStream">With history on, the user stream's epoch and seq for <c>data.streams</c>, and
    /// <paramref name="groupStreams"/> those of the groups joined at connect.</param>
    /// <param name="app">The connect hook's <c>data</c> for <c>data.app</c> (compact JSON, checked at the door); none when empty.</param>
    public static OutboundFrame Welcome(string userId, string connectionId, string node, (string Epoch, long Seq)? userStream = null,
        IReadOnlyList<(string Group, string Epoch, long Seq)>? groupStreams = null, ReadOnlyMemory<byte> app = default) =>
        Encode((userId, connectionId, node, userStream, groupStreams, app), static (w, s) =>
        {
            w.WriteString("type"u8, "welcome"u8);
            w.WriteStartObject("data"u8);
            w.WriteString("user_id"u8, s.userId);
            w.WriteString("connection_id"u8, s.connectionId);
            w.WriteString("node"u8, s.node);
            if (!s.app.IsEmpty)
            {
                w.WritePropertyName("app"u8);
                w.WriteRawValue(s.app.Span, skipInputValidation: true);
            }
            if (s.userStream is { } stream)
            {
                w.WriteStartObject("streams"u8);
                w.WritePropertyName("user"u8);
                WritePosition(w, stream.Epoch, stream.Seq);
                w.WriteStartObject("groups"u8);
                foreach (var (group, epoch, seq) in s.groupStreams ?? [])
                {
                    w.WritePropertyName(group);
                    WritePosition(w, epoch, seq);
                }
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndObject();
        });

    /// <summary>
    /// <c>{"type":"resumed","data":{"stream":"user","recovered":...,"epoch":...,"seq":...}}</c> (or <c>"group":"g1"</c>): the
    /// end of one stream's replay. Without a position (history off) only <c>recovered</c>.
    /// </summary>
    public static OutboundFrame Resumed(string? group, bool recovered, (string Epoch, long Seq)? position) =>
        Encode((group, recovered, position), static (w, s) =>
        {
            w.WriteString("type"u8, "resumed"u8);
            w.WriteStartObject("data"u8);
            WriteStream(w, s.group);
            w.WriteBoolean("recovered"u8, s.recovered);
            if (s.position is { } p)
            {
                w.WriteString("epoch"u8, p.Epoch);
                w.WriteNumber("seq"u8, p.Seq);
            }
            w.WriteEndObject();
        });

    /// <summary><c>{"type":"stream_reset","data":{"stream":"user","epoch":...,"seq":...}}</c>: the stream's history was lost.</summary>
    public static OutboundFrame StreamReset(string? group, string epoch, long seq) => Encode((group, epoch, seq), static (w, s) =>
    {
        w.WriteString("type"u8, "stream_reset"u8);
        w.WriteStartObject("data"u8);
        WriteStream(w, s.group);
        w.WriteString("epoch"u8, s.epoch);
        w.WriteNumber("seq"u8, s.seq);
        w.WriteEndObject();
    });

    /// <summary>The epoch a <see cref="StreamReset"/> frame starts, or null for any other frame.</summary>
    public static string? StreamResetEpochOf(OutboundFrame frame)
    {
        if (frame.Opcode != Opcode.Text || !frame.Payload.StartsWith("""{"type":"stream_reset","""u8))
            return null;
        var reader = new Utf8JsonReader(frame.Payload);
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("epoch"u8) && reader.Read())
                return reader.GetString();
        }
        return null;
    }

    /// <summary><c>{"type":"receipt","id":...,"to":"bob","data":{"seq":N,"status":"delivered"}}</c>, for the sender of a message.</summary>
    public static OutboundFrame Receipt(ReadOnlyMemory<byte> id, string to, long seq) => Encode((id, to, seq), static (w, s) =>
    {
        WriteTypeAndId(w, "receipt"u8, s.id);
        w.WriteString("to"u8, s.to);
        w.WriteStartObject("data"u8);
        w.WriteNumber("seq"u8, s.seq);
        w.WriteString("status"u8, "delivered"u8);
        w.WriteEndObject();
    });

    // An answer to one client frame: its type, then the frame's id as the client wrote it.
    private static void WriteTypeAndId(Utf8JsonWriter w, ReadOnlySpan<byte> type, ReadOnlyMemory<byte> id)
    {
        w.WriteString("type"u8, type);
        w.WritePropertyName("id"u8);
        w.WriteRawValue(id.Span, skipInputValidation: true);
    }

    private static void WriteStream(Utf8JsonWriter w, string? group)
    {
        if (group is null)
            w.WriteString("stream"u8, "user"u8);
        else
            w.WriteString("group"u8, group);
    }

    private static void WritePosition(Utf8JsonWriter w, string epoch, long seq)
    {
        w.WriteStartObject();
        w.WriteString("epoch"u8, epoch);
        w.WriteNumber("seq"u8, seq);
        w.WriteEndObject();
    }

    /// <summary><c>{"type":"token_expiring","data":{"expires_in":N}}</c>: the connection's token runs out in N seconds.</summary>
    public static OutboundFrame TokenExpiring(long expiresIn) => Encode(expiresIn, static (w, seconds) =>
    {
        w.WriteString("type"u8, "token_expiring"u8);
        w.WriteStartObject("data"u8);
        w.WriteNumber("expires_in"u8, seconds);
        w.WriteEndObject();
    });

    /// <param name="seq">The acknowledged message's place in its stream (history on), written as <c>data.seq</c>; 0 for none.</param>
    /// <param name="app">What the application's join hook answered for the client, written as <c>data.app</c>; empty for none.</param>
    public static OutboundFrame Ack(ReadOnlyMemory<byte> id, long seq = 0, ReadOnlyMemory<byte> app = default) => Encode((id, seq, app), static (w, s) =>
    {
        WriteTypeAndId(w, "ack"u8, s.id);
        if (s.seq > 0 || !s.app.IsEmpty)
        {
            w.WriteStartObject("data"u8);
            if (s.seq > 0)
                w.WriteNumber("seq"u8, s.seq);
            WriteApp(w, s.app);
            w.WriteEndObject();
        }
    });

    /// <summary>
    /// The ack of a join with history on: <c>{"type":"ack","id":...,"data":{"epoch":...,"seq":...}}</c>, the group stream's
    /// position, and <c>data.app</c> when the join hook answered one.
    /// </summary>
    public static OutboundFrame JoinAck(ReadOnlyMemory<byte> id, string epoch, long seq, ReadOnlyMemory<byte> app = default) =>
        Encode((id, epoch, seq, app), static (w, s) =>
        {
            WriteTypeAndId(w, "ack"u8, s.id);
            w.WriteStartObject("data"u8);
            w.WriteString("epoch"u8, s.epoch);
            w.WriteNumber("seq"u8, s.seq);
            WriteApp(w, s.app);
            w.WriteEndObject();
        });

    /// <summary><c>{"type":"rpc_result","id":...,"data":...}</c>: the application's answer to the client's <c>rpc</c>.</summary>
    public static OutboundFrame RpcResult(ReadOnlyMemory<byte> id, ReadOnlyMemory<byte> result) => Encode((id, result), static (w, s) =>
    {
        WriteTypeAndId(w, "rpc_result"u8, s.id);
        w.WritePropertyName("data"u8);
        w.WriteRawValue(s.result.Span, skipInputValidation: true);
    });

    private static void WriteApp(Utf8JsonWriter w, ReadOnlyMemory<byte> app)
    {
        if (app.IsEmpty)
            return;
        w.WritePropertyName("app"u8);
        w.WriteRawValue(app.Span, skipInputValidation: true);
    }

    public static OutboundFrame Error(ReadOnlyMemory<byte> id, FrameError error) => Encode((id, error), static (w, s) =>
    {
        w.WriteString("type"u8, "error"u8);
        if (!s.id.IsEmpty)
        {
            w.WritePropertyName("id"u8);
            w.WriteRawValue(s.id.Span, skipInputValidation: true);
        }
        w.WriteStartObject("data"u8);
        w.WriteString("code"u8, s.error.Code);
        w.WriteString("message"u8, s.error.Message);
        w.WriteEndObject();
    });

    /// <summary>
    /// A routed message as every recipient sees it: the sender's type and data (raw JSON, passed
    /// through unchanged), with <c>from</c>, <c>timestamp</c> and <c>to</c> or <c>group</c> set by the server.
    /// </summary>
    public static OutboundFrame Routed(RoutedFields fields) => Encode(fields, static (w, f) =>
    {
        w.WriteString("type"u8, f.Type);
        if (!f.Data.IsEmpty)
        {
            w.WritePropertyName("data"u8);
            w.WriteRawValue(f.Data.Span, skipInputValidation: true);
        }
        w.WriteNumber("timestamp"u8, f.Timestamp);
        w.WriteString("from"u8, f.From);
        if (f.To is not null)
            w.WriteString("to"u8, f.To);
        if (f.Group is not null)
            w.WriteString("group"u8, f.Group);
    });

    /// <summary>Writes one JSON object with <paramref name="body"/> and frames it.</summary>
    public static OutboundFrame Encode<TState>(TState state, Action<Utf8JsonWriter, TState> body)
    {
        var scratch = Scratch.Rent();
        try
        {
            scratch.Writer.WriteStartObject();
            body(scratch.Writer, state);
            scratch.Writer.WriteEndObject();
            scratch.Writer.Flush();
            return OutboundFrame.Text(scratch.Buffer.WrittenSpan);
        }
        finally
        {
            scratch.Return();
        }
    }

    // One reusable buffer and writer per thread: encoding allocates only the final frame.
    private sealed class Scratch
    {
        [ThreadStatic] private static Scratch? _cached;

        public ArrayBufferWriter<byte> Buffer { get; } = new(512);
        public Utf8JsonWriter Writer { get; }

        private Scratch() => Writer = new Utf8JsonWriter(Buffer, new JsonWriterOptions
        {
            SkipValidation = true,
            // Frames are JSON read by programs, not HTML: keep quotes and non-ASCII text as they are.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        });

        public static Scratch Rent()
        {
            var scratch = _cached ?? new Scratch();
            _cached = null;
            return scratch;
        }

        public void Return()
        {
            Buffer.ResetWrittenCount();
            Writer.Reset(Buffer);
            _cached = this;
        }
    }
}

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

    public static OutboundFrame Welcome(string userId, string connectionId, string node) => Encode((userId, connectionId, node),
        static (w, s) =>
        {
            w.WriteString("type"u8, "welcome"u8);
            w.WriteStartObject("data"u8);
            w.WriteString("user_id"u8, s.userId);
            w.WriteString("connection_id"u8, s.connectionId);
            w.WriteString("node"u8, s.node);
            w.WriteEndObject();
        });

    /// <summary><c>{"type":"token_expiring","data":{"expires_in":N}}</c>: the connection's token runs out in N seconds.</summary>
    public static OutboundFrame TokenExpiring(long expiresIn) => Encode(expiresIn, static (w, seconds) =>
    {
        w.WriteString("type"u8, "token_expiring"u8);
        w.WriteStartObject("data"u8);
        w.WriteNumber("expires_in"u8, seconds);
        w.WriteEndObject();
    });

    public static OutboundFrame Ack(ReadOnlyMemory<byte> id) => Encode(id, static (w, id) =>
    {
        w.WriteString("type"u8, "ack"u8);
        w.WritePropertyName("id"u8);
        w.WriteRawValue(id.Span, skipInputValidation: true);
    });

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

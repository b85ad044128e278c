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

    public static OutboundFrame Welcome(string userId, string connectionId, string node) => Encode(w =>
    {
        w.WriteString("type"u8, "welcome"u8);
        w.WriteStartObject("data"u8);
        w.WriteString("user_id"u8, userId);
        w.WriteString("connection_id"u8, connectionId);
        w.WriteString("node"u8, node);
        w.WriteEndObject();
    });

    public static OutboundFrame Ack(ReadOnlyMemory<byte> id) => Encode(w =>
    {
        w.WriteString("type"u8, "ack"u8);
        w.WritePropertyName("id"u8);
        w.WriteRawValue(id.Span, skipInputValidation: true);
    });

    public static OutboundFrame Error(ReadOnlyMemory<byte> id, FrameError error) => Encode(w =>
    {
        w.WriteString("type"u8, "error"u8);
        if (!id.IsEmpty)
        {
            w.WritePropertyName("id"u8);
            w.WriteRawValue(id.Span, skipInputValidation: true);
        }
        w.WriteStartObject("data"u8);
        w.WriteString("code"u8, error.Code);
        w.WriteString("message"u8, error.Message);
        w.WriteEndObject();
    });

    /// <summary>Writes one JSON object with <paramref name="body"/> and frames it.</summary>
    public static OutboundFrame Encode(Action<Utf8JsonWriter> body)
    {
        var scratch = Scratch.Rent();
        try
        {
            scratch.Writer.WriteStartObject();
            body(scratch.Writer);
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

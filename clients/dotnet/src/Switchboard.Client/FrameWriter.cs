using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Switchboard.Client;

/// <summary>The client's frames as UTF-8 JSON, each written once and kept as bytes until its answer (a resend writes the same bytes).</summary>
internal static class FrameWriter
{
    public static readonly byte[] Ping = """{"type":"ping"}"""u8.ToArray();

    /// <summary>
    /// A frame of <paramref name="type"/> with <paramref name="id"/>, the fields <paramref name="fields"/> writes, and
    /// <paramref name="data"/> when there is one.
    /// </summary>
    public static byte[] Write(string type, string id, Action<Utf8JsonWriter>? fields = null, JsonNode? data = null, Action<Utf8JsonWriter>? dataFields = null)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type", type);
            writer.WriteString("id", id);
            fields?.Invoke(writer);
            if (dataFields is not null)
            {
                writer.WriteStartObject("data");
                dataFields(writer);
                writer.WriteEndObject();
            }
            else if (data is not null)
            {
                writer.WritePropertyName("data");
                data.WriteTo(writer);
            }
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}

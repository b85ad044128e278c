using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Switchboard.Streams.Compression;
using Switchboard.Streams.Framing;
using Switchboard.Streams.Json;
using Switchboard.Streams.Outbound;

namespace Switchboard.Streams.Tests;

public sealed class OutboundFrameSeqTests
{
    private static OutboundFrame Chat(int dataLength) =>
        OutboundFrame.Text(Encoding.UTF8.GetBytes($$"""{"type":"chat","data":{"text":"{{new string('x', dataLength)}}","n":[1,{"k":"}"}]},"from":"alice"}"""));

    private static int DeclaredLength(byte[] frame) => (frame[1] & 0x7F) switch
    {
        126 => BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(2)),
        127 => checked((int)BinaryPrimitives.ReadUInt64BigEndian(frame.AsSpan(2))),
        var n => n,
    };

    private static void AssertNumbered(OutboundFrame original, OutboundFrame numbered, long seq)
    {
        using var before = JsonDocument.Parse(original.Payload.ToArray());
        using var after = JsonDocument.Parse(numbered.Payload.ToArray());
        var fields = after.RootElement.EnumerateObject().ToList();
        Assert.Equal("seq", fields[^1].Name);
        Assert.Equal(seq, fields[^1].Value.GetInt64());
        var others = before.RootElement.EnumerateObject().ToList();
        Assert.Equal(others.Select(f => (f.Name, f.Value.GetRawText())), fields[..^1].Select(f => (f.Name, f.Value.GetRawText())));
        Assert.Equal(seq, numbered.Seq);
        Assert.Equal(Opcode.Text, numbered.Opcode);
    }

    [Theory]
    [InlineData(10, 1L)]          // under 126 bytes: one length byte
    [InlineData(10, 9_999_999_999L)]
    [InlineData(200, 7L)]         // over 125: 16-bit length
    [InlineData(70_000, 123_456L)] // over 65535: 64-bit length
    public void With_seq_adds_seq_as_the_last_field_of_valid_json_and_keeps_the_others(int dataLength, long seq)
    {
        var original = Chat(dataLength);
        var numbered = original.WithSeq(seq);
        AssertNumbered(original, numbered, seq);

        var payloadLength = numbered.Payload.Length;
        Assert.Equal(original.Payload.Length + ",\"seq\":".Length + seq.ToString().Length, payloadLength);
        Assert.Equal(0x81, numbered.Bytes[0]);
        Assert.Equal(FrameEncoder.HeaderLength(payloadLength) + payloadLength, numbered.Bytes.Length);
        Assert.Equal(payloadLength, DeclaredLength(numbered.Bytes));
        Assert.Equal(numbered.Bytes, OutboundFrame.FromBytes(numbered.Bytes).Bytes);
        Assert.Equal(numbered.Payload.ToArray(), OutboundFrame.FromBytes(numbered.Bytes).Payload.ToArray());
    }

    [Fact]
    public void With_seq_crossing_a_length_boundary_takes_the_longer_header()
    {
        // 120-byte payload + ",\"seq\":12345" (12 bytes) = 132: the header grows from 2 to 4 bytes.
        var json = "{\"type\":\"t\",\"data\":\"" + new string('x', 120 - 22) + "\"}";
        var original = OutboundFrame.Text(Encoding.UTF8.GetBytes(json));
        Assert.Equal(120, original.Payload.Length);
        var numbered = original.WithSeq(12345);
        Assert.Equal(126, numbered.Bytes[1]);
        Assert.Equal(132, DeclaredLength(numbered.Bytes));
        AssertNumbered(original, numbered, 12345);
    }

    [Fact]
    public void With_seq_makes_a_copy_and_keeps_the_accept_time()
    {
        var original = Chat(10);
        original.AcceptedAt = 638_000_000_000_000_000;
        var bytes = original.Bytes.ToArray();
        var numbered = original.WithSeq(3);
        Assert.Equal(bytes, original.Bytes);
        Assert.Equal(0, original.Seq);
        Assert.Equal(original.AcceptedAt, numbered.AcceptedAt);
    }

    [Fact]
    public void An_empty_object_takes_seq_as_its_only_field()
    {
        var numbered = OutboundFrame.Text("{}"u8).WithSeq(1);
        Assert.Equal("""{"seq":1}""", Encoding.UTF8.GetString(numbered.Payload));
    }

    [Fact]
    public void Only_a_json_object_text_frame_takes_a_seq()
    {
        Assert.Throws<InvalidOperationException>(() => OutboundFrame.Close(1000, "bye").WithSeq(1));
        Assert.Throws<InvalidOperationException>(() => OutboundFrame.Control(Opcode.Ping, "{}"u8).WithSeq(1));
        Assert.Throws<InvalidOperationException>(() => OutboundFrame.Text("[1,2]"u8).WithSeq(1));
    }

    [Fact]
    public void A_numbered_frame_compresses_to_its_numbered_payload()
    {
        var numbered = Chat(500).WithSeq(77);
        var compressed = numbered.BytesFor(1);
        Assert.Equal(0xC1, compressed[0]); // FIN, RSV1, text
        Assert.Same(compressed, numbered.BytesFor(1));
        var header = FrameEncoder.HeaderLength(DeclaredLength(compressed));
        Assert.Equal(compressed.Length - header, DeclaredLength(compressed));
        Assert.True(MessageDeflater.TryInflate(compressed.AsSpan(header), 1 << 20, out var inflated));
        Assert.Equal(numbered.Payload.ToArray(), inflated);
        Assert.Same(numbered.Bytes, numbered.BytesFor(null));
    }
}

public sealed class HistoryServerFramesTests
{
    private static JsonElement Json(OutboundFrame frame) => JsonDocument.Parse(frame.Payload.ToArray()).RootElement;

    [Fact]
    public void Ack_carries_the_seq_in_data_and_omits_data_without_one()
    {
        var ack = Json(ServerFrames.Ack("\"m1\""u8.ToArray(), 12));
        Assert.Equal("ack", ack.GetProperty("type").GetString());
        Assert.Equal("m1", ack.GetProperty("id").GetString());
        Assert.Equal(12, ack.GetProperty("data").GetProperty("seq").GetInt64());
        Assert.False(Json(ServerFrames.Ack("\"m1\""u8.ToArray())).TryGetProperty("data", out _));
        Assert.False(Json(ServerFrames.Ack("[1]"u8.ToArray(), 0)).TryGetProperty("data", out _));
    }

    [Fact]
    public void Welcome_with_a_user_stream_carries_its_position_under_streams()
    {
        var data = Json(ServerFrames.Welcome("u1", "c1", "n1", ("ab12", 5))).GetProperty("data");
        Assert.Equal(("u1", "c1", "n1"), (data.GetProperty("user_id").GetString(), data.GetProperty("connection_id").GetString(),
            data.GetProperty("node").GetString()));
        var streams = data.GetProperty("streams");
        Assert.Equal("ab12", streams.GetProperty("user").GetProperty("epoch").GetString());
        Assert.Equal(5, streams.GetProperty("user").GetProperty("seq").GetInt64());
        Assert.Equal(JsonValueKind.Object, streams.GetProperty("groups").ValueKind);
        Assert.Empty(streams.GetProperty("groups").EnumerateObject());
        Assert.False(Json(ServerFrames.Welcome("u1", "c1", "n1")).GetProperty("data").TryGetProperty("streams", out _));
    }

    [Fact]
    public void Resumed_names_the_stream_recovery_and_position()
    {
        var user = Json(ServerFrames.Resumed(null, true, ("ep", 9)));
        Assert.Equal("resumed", user.GetProperty("type").GetString());
        var data = user.GetProperty("data");
        Assert.Equal("user", data.GetProperty("stream").GetString());
        Assert.True(data.GetProperty("recovered").GetBoolean());
        Assert.Equal(("ep", 9L), (data.GetProperty("epoch").GetString(), data.GetProperty("seq").GetInt64()));
        Assert.False(data.TryGetProperty("group", out _));

        var group = Json(ServerFrames.Resumed("g1", false, null)).GetProperty("data");
        Assert.Equal("g1", group.GetProperty("group").GetString());
        Assert.False(group.GetProperty("recovered").GetBoolean());
        Assert.False(group.TryGetProperty("stream", out _));
        Assert.False(group.TryGetProperty("epoch", out _));
        Assert.False(group.TryGetProperty("seq", out _));
    }

    [Fact]
    public void Stream_reset_names_the_stream_and_its_new_position()
    {
        var reset = Json(ServerFrames.StreamReset(null, "new1", 0));
        Assert.Equal("stream_reset", reset.GetProperty("type").GetString());
        var data = reset.GetProperty("data");
        Assert.Equal(("user", "new1", 0L), (data.GetProperty("stream").GetString(), data.GetProperty("epoch").GetString(),
            data.GetProperty("seq").GetInt64()));
        var group = Json(ServerFrames.StreamReset("g\"1", "e2", 4)).GetProperty("data");
        Assert.Equal(("g\"1", 4L), (group.GetProperty("group").GetString(), group.GetProperty("seq").GetInt64()));
        Assert.False(group.TryGetProperty("stream", out _));
    }

    [Fact]
    public void Receipt_echoes_the_raw_id_and_names_the_recipient_and_seq()
    {
        var receipt = Json(ServerFrames.Receipt("""{"k":[1,2]}"""u8.ToArray(), "b\"ob", 31));
        Assert.Equal("receipt", receipt.GetProperty("type").GetString());
        Assert.Equal("""{"k":[1,2]}""", receipt.GetProperty("id").GetRawText());
        Assert.Equal("b\"ob", receipt.GetProperty("to").GetString());
        var data = receipt.GetProperty("data");
        Assert.Equal(31, data.GetProperty("seq").GetInt64());
        Assert.Equal("delivered", data.GetProperty("status").GetString());
    }
}

public sealed class ClientFrameReceiptTests
{
    private static ClientFrame Decode(string json) => ClientFrameDecoder.Decode(Encoding.UTF8.GetBytes(json));

    [Theory]
    [InlineData("""{"type":"chat","to":"bob","id":1,"receipt":true}""", true)]
    [InlineData("""{"type":"chat","to":"bob","id":1,"receipt":false}""", false)]
    [InlineData("""{"type":"chat","to":"bob","id":1,"receipt":null}""", false)]
    [InlineData("""{"type":"chat","to":"bob","id":1}""", false)]
    [InlineData("""{"receipt":true,"type":"chat"}""", true)]
    public void Receipt_is_read_as_a_boolean(string json, bool receipt)
    {
        var frame = Decode(json);
        Assert.Null(frame.Error);
        Assert.Equal(receipt, frame.Receipt);
    }

    [Theory]
    [InlineData("""{"type":"chat","id":"x1","receipt":"true"}""")]
    [InlineData("""{"type":"chat","id":"x1","receipt":1}""")]
    [InlineData("""{"type":"chat","id":"x1","receipt":{}}""")]
    [InlineData("""{"type":"chat","id":"x1","receipt":[true]}""")]
    public void A_receipt_that_is_not_a_boolean_is_an_invalid_field_and_keeps_the_id(string json)
    {
        var frame = Decode(json);
        Assert.Equal("invalid_field", frame.Error!.Code);
        Assert.Contains("receipt", frame.Error.Message);
        Assert.Equal("\"x1\"", Encoding.UTF8.GetString(frame.Id.Span));
    }
}

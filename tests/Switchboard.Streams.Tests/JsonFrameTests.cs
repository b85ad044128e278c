using System.Text;
using System.Text.Json;
using Switchboard.Streams.Json;

namespace Switchboard.Streams.Tests;

public sealed class ClientFrameDecoderTests
{
    private static ClientFrame Decode(string json) => ClientFrameDecoder.Decode(Encoding.UTF8.GetBytes(json));

    [Fact]
    public void Fields_are_read_and_data_and_id_kept_as_raw_json()
    {
        var frame = Decode("""{"type":"chat","to":"bob","group":null,"data":{"a":[1,"x"]},"id":[1, 2],"from":"eve","timestamp":5}""");
        Assert.Null(frame.Error);
        Assert.Equal(("chat", "bob", (string?)null), (frame.Type, frame.To, frame.Group));
        Assert.Equal("""{"a":[1,"x"]}""", Encoding.UTF8.GetString(frame.Data.Span));
        Assert.Equal("[1, 2]", Encoding.UTF8.GetString(frame.Id.Span));
        Assert.Equal("\"eve\"", Encoding.UTF8.GetString(frame.From.Span));
    }

    [Theory]
    [InlineData("""{"type":"t","from":5}""", "5")]
    [InlineData("""{"type":"t","from":{"a":1}}""", """{"a":1}""")]
    [InlineData("""{"type":"t"}""", "")]
    public void From_of_any_kind_is_kept_raw_and_never_refuses_the_frame(string json, string raw)
    {
        var frame = Decode(json);
        Assert.Null(frame.Error);
        Assert.Equal(raw, Encoding.UTF8.GetString(frame.From.Span));
    }

    [Theory]
    [InlineData("""{"type":"t","data":"text"}""", "\"text\"")]
    [InlineData("""{"type":"t","data":12.5}""", "12.5")]
    [InlineData("""{"type":"t","data":null}""", "null")]
    [InlineData("""{"type":"t"}""", "")]
    public void Data_of_any_kind_passes_through(string json, string raw) =>
        Assert.Equal(raw, Encoding.UTF8.GetString(Decode(json).Data.Span));

    [Theory]
    [InlineData("nope", "invalid_json")]
    [InlineData("[1]", "invalid_json")]
    [InlineData("""{"type":"a"} {}""", "invalid_json")]
    [InlineData("""{"data":1}""", "missing_field")]
    [InlineData("""{"type":""}""", "missing_field")]
    [InlineData("""{"type":1}""", "invalid_field")]
    [InlineData("""{"type":"chat","to":{}}""", "invalid_field")]
    public void Bad_frames_name_their_problem(string json, string code) => Assert.Equal(code, Decode(json).Error!.Code);

    [Fact]
    public void Id_is_kept_when_another_field_is_bad()
    {
        var frame = Decode("""{"id":"x1","type":7}""");
        Assert.Equal("invalid_field", frame.Error!.Code);
        Assert.Equal("\"x1\"", Encoding.UTF8.GetString(frame.Id.Span));
    }

    [Theory]
    [InlineData("""{"type":"t","data":"\ud800"}""")]
    [InlineData("""{"type":"t","data":["a",{"b":"\udc00x"}]}""")]
    [InlineData("""{"type":"t","data":{"\ud83d":1}}""")]
    [InlineData("""{"type":"t\ud800"}""")]
    [InlineData("""{"type":"t","to":"\udfff"}""")]
    [InlineData("""{"type":"t","from":"\ud800"}""")]
    [InlineData("""{"type":"t","other":["\ud800"]}""")]
    [InlineData("""{"\ud800":1,"type":"t"}""")]
    public void Escapes_that_make_invalid_text_are_refused_wherever_they_are(string json) =>
        Assert.Equal("invalid_json", Decode(json).Error!.Code);

    [Theory]
    [InlineData("""{"type":"t","data":"\ud83d\ude00 \"quoted\" \n"}""")]
    [InlineData("""{"type":"t","data":{"k\u00e9y":["\u20ac"]}}""")]
    public void Valid_escapes_pass_and_data_stays_as_sent(string json)
    {
        var frame = Decode(json);
        Assert.Null(frame.Error);
        Assert.Contains(Encoding.UTF8.GetString(frame.Data.Span), json);
    }

    [Fact]
    public void Field_names_and_types_are_read_unescaped()
    {
        var frame = Decode("""{"\u0074ype":"\u0077elcome","t\u006f":"bob"}""");
        Assert.Equal(("welcome", "bob"), (frame.Type, frame.To));
        Assert.True(ReservedTypes.Contains(frame.Type!));
    }

    [Fact]
    public void An_id_that_is_invalid_text_is_dropped_with_the_frame()
    {
        var frame = Decode("""{"type":"t","id":"\ud800"}""");
        Assert.Equal("invalid_json", frame.Error!.Code);
        Assert.True(frame.Id.IsEmpty);
    }
}

public sealed class ReservedTypesTests
{
    [Theory]
    [InlineData("welcome")]
    [InlineData("ack")]
    [InlineData("stream_reset")]
    [InlineData("presence_reset")]
    [InlineData("rpc_result")]
    [InlineData("broadcast")]
    [InlineData("$")]
    [InlineData("$anything")]
    public void The_services_types_and_every_dollar_type_are_reserved(string type) => Assert.True(ReservedTypes.Contains(type));

    [Theory]
    [InlineData("chat")]
    [InlineData("Welcome")]
    [InlineData("welcome ")]
    [InlineData("x$")]
    [InlineData("acks")]
    public void Others_are_not_compared_loosely(string type) => Assert.False(ReservedTypes.Contains(type));
}

public sealed class ServerFramesTests
{
    private static JsonElement Json(Outbound.OutboundFrame frame) => JsonDocument.Parse(frame.Payload.ToArray()).RootElement;

    [Fact]
    public void Pong_is_the_contract_frame() => Assert.Equal("""{"type":"pong"}""", Encoding.UTF8.GetString(ServerFrames.Pong.Payload));

    [Fact]
    public void Welcome_names_user_connection_and_node()
    {
        var data = Json(ServerFrames.Welcome("u\"1", "c1", "n1")).GetProperty("data");
        Assert.Equal(("u\"1", "c1", "n1"), (data.GetProperty("user_id").GetString(), data.GetProperty("connection_id").GetString(),
            data.GetProperty("node").GetString()));
    }

    [Fact]
    public void Error_echoes_the_raw_id_and_omits_a_missing_one()
    {
        var error = Json(ServerFrames.Error("""{"k":1}"""u8.ToArray(), new FrameError("c", "m")));
        Assert.Equal(1, error.GetProperty("id").GetProperty("k").GetInt32());
        Assert.Equal("c", error.GetProperty("data").GetProperty("code").GetString());
        Assert.False(Json(ServerFrames.Error(default, new FrameError("c", "m"))).TryGetProperty("id", out _));
    }

    [Fact]
    public void Routed_message_carries_server_fields_and_the_raw_data()
    {
        var routed = Json(ServerFrames.Routed(new RoutedFields("chat", "[1,{\"x\":2}]"u8.ToArray(), "alice", 1234, To: "bob")));
        Assert.Equal("chat", routed.GetProperty("type").GetString());
        Assert.Equal("""[1,{"x":2}]""", routed.GetProperty("data").GetRawText());
        Assert.Equal(("alice", 1234L, "bob"), (routed.GetProperty("from").GetString(), routed.GetProperty("timestamp").GetInt64(),
            routed.GetProperty("to").GetString()));
        Assert.False(routed.TryGetProperty("group", out _));
    }
}

using System.Buffers.Binary;
using System.Text;
using Switchboard.Streams.Framing;

namespace Switchboard.Streams.Tests;

public sealed class ClosePayloadTests
{
    private static byte[] Body(ushort code, params byte[] reason)
    {
        var body = new byte[2 + reason.Length];
        BinaryPrimitives.WriteUInt16BigEndian(body, code);
        reason.CopyTo(body, 2);
        return body;
    }

    private static ushort ViolationCode(byte[] body) => Assert.Throws<ProtocolViolation>(() => ClosePayload.Parse(body)).Code;

    [Fact]
    public void Empty_body_has_no_code() => Assert.Null(ClosePayload.Parse([]));

    [Fact]
    public void One_byte_body_is_a_protocol_error() => Assert.Equal(1002, ViolationCode([0x03]));

    [Theory]
    [InlineData(1000)]
    [InlineData(1001)]
    [InlineData(1002)]
    [InlineData(1003)]
    [InlineData(1007)]
    [InlineData(1011)]
    [InlineData(1014)]
    [InlineData(3000)]
    [InlineData(4999)]
    public void Allowed_codes_are_returned(ushort code) => Assert.Equal(code, ClosePayload.Parse(Body(code)));

    [Theory]
    [InlineData(0)]
    [InlineData(999)]
    [InlineData(1004)]
    [InlineData(1005)]
    [InlineData(1006)]
    [InlineData(1015)]
    [InlineData(1016)]
    [InlineData(2999)]
    [InlineData(5000)]
    [InlineData(65535)]
    public void Codes_not_allowed_on_the_wire_are_protocol_errors(ushort code) => Assert.Equal(1002, ViolationCode(Body(code)));

    [Fact]
    public void Utf8_reason_is_accepted() =>
        Assert.Equal((ushort)1000, ClosePayload.Parse(Body(1000, Encoding.UTF8.GetBytes("güle güle 👋"))));

    [Theory]
    [InlineData(new byte[] { 0xC3, 0x28 })] // bad continuation byte
    [InlineData(new byte[] { 0xE2, 0x82 })] // cut short
    [InlineData(new byte[] { 0xC0, 0xAF })] // overlong
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })] // a UTF-16 surrogate
    public void Reason_that_is_not_utf8_is_invalid_payload(byte[] reason) => Assert.Equal(1007, ViolationCode(Body(1000, reason)));
}

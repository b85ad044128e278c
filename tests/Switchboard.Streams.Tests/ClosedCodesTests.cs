namespace Switchboard.Streams.Tests;

/// <summary>The close codes finished connections are counted by: a fixed set, whatever code a peer closes with.</summary>
public sealed class ClosedCodesTests
{
    [Theory]
    [InlineData((ushort)1000, "1000")]
    [InlineData((ushort)4408, "4408")]
    [InlineData((ushort)4403, "4403")]
    [InlineData((ushort)4503, "4503")]
    [InlineData((ushort)4000, ClosedCodes.Other)]
    [InlineData((ushort)3999, ClosedCodes.Other)]
    public void Close_codes_are_counted_under_a_fixed_set_of_labels(ushort code, string label) =>
        Assert.Equal(label, ClosedCodes.Labels[ClosedCodes.IndexOf(code)]);

    [Fact]
    public void A_connection_ended_without_a_close_frame_counts_as_1006() =>
        Assert.Equal("1006", ClosedCodes.Labels[ClosedCodes.IndexOf(null)]);
}

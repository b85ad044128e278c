using System.Runtime.InteropServices;
using Switchboard.Streams.Framing;

namespace Switchboard.Streams.Tests;

public sealed class MaskingTests
{
    private static byte[] Naive(byte[] data, byte[] key) => data.Select((b, i) => (byte)(b ^ key[i % 4])).ToArray();

    private static uint MaskOf(byte[] key) => MemoryMarshal.Read<uint>(key);

    [Theory]
    [InlineData(0x12, 0x34, 0x56, 0x78)]
    [InlineData(0xFF, 0x00, 0xA5, 0x01)]
    [InlineData(0x00, 0x00, 0x00, 0x00)]
    public void Every_length_up_to_40_matches_byte_at_a_time_masking(byte k0, byte k1, byte k2, byte k3)
    {
        byte[] key = [k0, k1, k2, k3];
        for (var length = 0; length <= 40; length++)
        {
            var data = Enumerable.Range(0, length).Select(i => (byte)(i * 7 + 3)).ToArray();
            var expected = Naive(data, key);
            Masking.Apply(data, MaskOf(key));
            Assert.Equal(expected, data);
        }
    }

    [Fact]
    public void Unaligned_spans_are_masked_from_their_own_start_and_nothing_outside_changes()
    {
        var key = new byte[4];
        Random.Shared.NextBytes(key);
        for (var offset = 0; offset < 8; offset++)
        {
            for (var length = 0; length <= 40; length++)
            {
                var buffer = Enumerable.Range(0, 56).Select(i => (byte)i).ToArray();
                var original = (byte[])buffer.Clone();
                Masking.Apply(buffer.AsSpan(offset, length), MaskOf(key));

                Assert.Equal(Naive(original[offset..(offset + length)], key), buffer[offset..(offset + length)]);
                Assert.Equal(original[..offset], buffer[..offset]);
                Assert.Equal(original[(offset + length)..], buffer[(offset + length)..]);
            }
        }
    }

    [Fact]
    public void Masking_twice_restores_the_data()
    {
        var data = new byte[37];
        Random.Shared.NextBytes(data);
        var original = (byte[])data.Clone();
        Masking.Apply(data, 0xDEADBEEF);
        Assert.NotEqual(original, data);
        Masking.Apply(data, 0xDEADBEEF);
        Assert.Equal(original, data);
    }
}

using System.Numerics;
using System.Runtime.InteropServices;

namespace Switchboard.Streams.Framing;

/// <summary>XOR masking (RFC 6455 §5.3), a machine word at a time.</summary>
public static class Masking
{
    /// <param name="mask">The four key bytes as they appear on the wire, read in memory order.</param>
    public static void Apply(Span<byte> data, uint mask)
    {
        var wideMask = ((ulong)mask << 32) | mask;
        var words = MemoryMarshal.Cast<byte, ulong>(data);
        for (var i = 0; i < words.Length; i++)
            words[i] ^= wideMask;

        var tail = words.Length * sizeof(ulong);
        for (var i = tail; i < data.Length; i++)
            data[i] ^= (byte)(mask >> (8 * (i & 3)));
    }
}

using System.Buffers;
using System.Buffers.Binary;

namespace Switchboard.Streams.Tests;

/// <summary>Builds frames as a client sends them: masked with a random key.</summary>
internal static class ClientFrames
{
    /// <param name="declaredLength">The length written in the header, when it should differ from the payload's.</param>
    public static byte[] Build(int opcode, byte[] payload, bool fin = true, bool mask = true,
        bool rsv1 = false, bool rsv2 = false, bool rsv3 = false, long? declaredLength = null)
    {
        var length = declaredLength ?? payload.Length;
        var first = (fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | (rsv2 ? 0x20 : 0) | (rsv3 ? 0x10 : 0) | opcode;
        var header = new List<byte> { (byte)first };
        var maskBit = mask ? 0x80 : 0;
        if (length <= 125)
            header.Add((byte)(maskBit | (int)length));
        else if (length <= ushort.MaxValue)
        {
            header.Add((byte)(maskBit | 126));
            header.Add((byte)(length >> 8));
            header.Add((byte)length);
        }
        else
        {
            header.Add((byte)(maskBit | 127));
            var bytes = new byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(bytes, (ulong)length);
            header.AddRange(bytes);
        }
        var body = (byte[])payload.Clone();
        if (mask)
        {
            var key = new byte[4];
            Random.Shared.NextBytes(key);
            header.AddRange(key);
            for (var i = 0; i < body.Length; i++)
                body[i] ^= key[i % 4];
        }
        return [.. header, .. body];
    }

    /// <summary>The header length of a masked client frame with this payload length.</summary>
    public static int HeaderLength(long payloadLength) => payloadLength switch
    {
        <= 125 => 6,
        <= ushort.MaxValue => 8,
        _ => 14,
    };

    /// <summary>A byte sequence made of several segments, as a pipe hands over data that arrived in pieces.</summary>
    public static ReadOnlySequence<byte> Segmented(params byte[][] segments)
    {
        if (segments.Length == 1)
            return new ReadOnlySequence<byte>(segments[0]);
        var first = new Segment(segments[0], 0);
        var last = first;
        foreach (var bytes in segments.Skip(1))
            last = last.Append(bytes);
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(byte[] bytes, long runningIndex)
        {
            Memory = bytes;
            RunningIndex = runningIndex;
        }

        public Segment Append(byte[] bytes)
        {
            var next = new Segment(bytes, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}

using System.Buffers.Binary;

namespace Switchboard.Streams.Tests;

/// <summary>Builds frames as a client sends them: masked with a random key.</summary>
internal static class ClientFrames
{
    public static byte[] Build(int opcode, byte[] payload, bool fin = true, bool mask = true, int rsv = 0, long? declaredLength = null)
    {
        var length = declaredLength ?? payload.Length;
        var header = new List<byte> { (byte)((fin ? 0x80 : 0) | (rsv << 4) | opcode) };
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
}

using System.Buffers;
using System.IO.Compression;

namespace Switchboard.Streams.Compression;

/// <summary>Compresses and inflates whole messages for permessage-deflate (RFC 7692 §7.2).</summary>
public static class MessageDeflater
{
    private static ReadOnlySpan<byte> SyncFlushTail => [0x00, 0x00, 0xFF, 0xFF];

    /// <summary>
    /// Compresses one message with no context takeover and strips the sync-flush tail.
    /// </summary>
    /// <param name="level">-2 Huffman only, -1 zlib's default, 0 stored, 1..9.</param>
    public static byte[] Compress(ReadOnlySpan<byte> payload, int level)
    {
        var output = new MemoryStream(payload.Length / 2 + 16);
        using var deflate = new DeflateStream(output, Options(level), leaveOpen: true);
        deflate.Write(payload);
        // Z_SYNC_FLUSH ends the data with 00 00 FF FF. The output is taken before disposal,
        // which would append a final empty block that a peer must not receive.
        deflate.Flush();
        var compressed = output.GetBuffer().AsSpan(0, (int)output.Length);
        if (compressed.EndsWith(SyncFlushTail))
            compressed = compressed[..^SyncFlushTail.Length];
        return compressed.ToArray();
    }

    /// <summary>
    /// Inflates one message. Returns false when it would exceed <paramref name="maxLength"/>,
    /// checked while inflating so a small bomb never expands in memory.
    /// </summary>
    /// <exception cref="InvalidDataException">The payload is not valid deflate data.</exception>
    public static bool TryInflate(ReadOnlySpan<byte> compressed, int maxLength, out byte[] message)
    {
        var input = new byte[compressed.Length + SyncFlushTail.Length];
        compressed.CopyTo(input);
        SyncFlushTail.CopyTo(input.AsSpan(compressed.Length));

        using var inflate = new DeflateStream(new MemoryStream(input), CompressionMode.Decompress);
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(maxLength + 1, 256));
        try
        {
            var total = 0;
            int read;
            while (total <= maxLength && (read = inflate.Read(buffer, total, buffer.Length - total)) > 0)
                total += read;
            if (total > maxLength)
            {
                message = [];
                return false;
            }
            message = buffer.AsSpan(0, total).ToArray();
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static ZLibCompressionOptions Options(int level) => level == -2
        ? new ZLibCompressionOptions { CompressionLevel = 1, CompressionStrategy = ZLibCompressionStrategy.HuffmanOnly }
        : new ZLibCompressionOptions { CompressionLevel = level, CompressionStrategy = ZLibCompressionStrategy.Default };
}

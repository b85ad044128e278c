using System.Buffers.Binary;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Switchboard.IntegrationTests.Support;

/// <summary>A server frame as it came off the wire.</summary>
public sealed record RawFrame(bool Fin, bool Rsv1, int Opcode, byte[] Payload)
{
    public string Text => Encoding.UTF8.GetString(Payload);
    public ushort CloseCode => BinaryPrimitives.ReadUInt16BigEndian(Payload);
    public string CloseReason => Encoding.UTF8.GetString(Payload.AsSpan(2));
}

/// <summary>
/// A WebSocket client over a bare TCP socket that writes exactly the bytes a test asks for,
/// so the tests can break the protocol on purpose.
/// </summary>
public sealed class RawWebSocket : IAsyncDisposable
{
    public const int Continuation = 0x0, Text = 0x1, Binary = 0x2, Close = 0x8, Ping = 0x9, Pong = 0xA;

    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(20);
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private byte[] _buffer = new byte[64 * 1024];
    private int _start, _end;

    private RawWebSocket(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    public int Status { get; private set; }
    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);
    public string Body { get; private set; } = "";
    public Socket Socket => _tcp.Client;

    /// <summary>Sends an opening handshake; <paramref name="headers"/> replace or remove (null) the defaults.</summary>
    public static async Task<RawWebSocket> ConnectAsync(Uri baseUri, string pathAndQuery = "/ws",
        IDictionary<string, string?>? headers = null, string method = "GET", int receiveBuffer = 0)
    {
        var tcp = new TcpClient();
        if (receiveBuffer > 0)
            tcp.ReceiveBufferSize = receiveBuffer;
        await tcp.ConnectAsync(baseUri.Host, baseUri.Port);
        var client = new RawWebSocket(tcp);

        var all = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Host"] = baseUri.Authority,
            ["Upgrade"] = "websocket",
            ["Connection"] = "Upgrade",
            ["Sec-WebSocket-Key"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)),
            ["Sec-WebSocket-Version"] = "13",
        };
        foreach (var (name, value) in headers ?? new Dictionary<string, string?>())
            all[name] = value;
        var request = new StringBuilder($"{method} {pathAndQuery} HTTP/1.1\r\n");
        foreach (var (name, value) in all.Where(h => h.Value is not null))
            request.Append($"{name}: {value}\r\n");
        request.Append("\r\n");
        await client.SendRawAsync(Encoding.ASCII.GetBytes(request.ToString()));
        await client.ReadResponseAsync();
        return client;
    }

    public Task SendRawAsync(byte[] bytes) => _stream.WriteAsync(bytes).AsTask();

    public Task SendFrameAsync(int opcode, byte[] payload, bool fin = true, bool mask = true, int rsv = 0) =>
        SendRawAsync(Frame(opcode, payload, fin, mask, rsv));

    public Task SendTextAsync(string text) => SendFrameAsync(Text, Encoding.UTF8.GetBytes(text));

    public static byte[] Frame(int opcode, byte[] payload, bool fin = true, bool mask = true, int rsv = 0)
    {
        var header = new List<byte> { (byte)((fin ? 0x80 : 0) | (rsv << 4) | opcode) };
        var maskBit = mask ? 0x80 : 0;
        switch (payload.Length)
        {
            case <= 125:
                header.Add((byte)(maskBit | payload.Length));
                break;
            case <= ushort.MaxValue:
                header.Add((byte)(maskBit | 126));
                header.Add((byte)(payload.Length >> 8));
                header.Add((byte)payload.Length);
                break;
            default:
                header.Add((byte)(maskBit | 127));
                var length = new byte[8];
                BinaryPrimitives.WriteUInt64BigEndian(length, (ulong)payload.Length);
                header.AddRange(length);
                break;
        }
        var body = (byte[])payload.Clone();
        if (mask)
        {
            var key = RandomNumberGenerator.GetBytes(4);
            header.AddRange(key);
            for (var i = 0; i < body.Length; i++)
                body[i] ^= key[i % 4];
        }
        return [.. header, .. body];
    }

    /// <summary>The next frame, or null when the server closed the TCP connection.</summary>
    public async Task<RawFrame?> ReceiveAsync()
    {
        while (true)
        {
            if (TryTakeFrame(out var frame))
                return frame;
            if (!await FillAsync(_end - _start + 1))
                return null;
        }
    }

    /// <summary>
    /// The next frame, read with blocking socket calls: for a reader on a thread of its own, which keeps
    /// reading however busy the thread pool is.
    /// </summary>
    public RawFrame? Receive()
    {
        _stream.ReadTimeout = (int)HangGuard.TotalMilliseconds;
        while (true)
        {
            if (TryTakeFrame(out var frame))
                return frame;
            MakeRoom(_end - _start + 1);
            var n = _stream.Read(_buffer.AsSpan(_end));
            if (n == 0)
                return null;
            _end += n;
        }
    }

    private bool TryTakeFrame(out RawFrame? frame)
    {
        frame = null;
        var available = _end - _start;
        if (available < 2)
            return false;
        var b0 = _buffer[_start];
        var length = (long)(_buffer[_start + 1] & 0x7F);
        var headerLength = length switch { 126 => 4, 127 => 10, _ => 2 };
        if (available < headerLength)
            return false;
        if (length == 126)
            length = BinaryPrimitives.ReadUInt16BigEndian(_buffer.AsSpan(_start + 2));
        else if (length == 127)
            length = (long)BinaryPrimitives.ReadUInt64BigEndian(_buffer.AsSpan(_start + 2));
        if (available < headerLength + length)
            return false;
        var payload = _buffer.AsSpan(_start + headerLength, (int)length).ToArray();
        _start += headerLength + (int)length;
        frame = new RawFrame((b0 & 0x80) != 0, (b0 & 0x40) != 0, b0 & 0x0F, payload);
        return true;
    }

    /// <summary>The next frame that is not a protocol ping (pings are answered as a client must).</summary>
    public async Task<RawFrame?> ReceiveSkippingPingsAsync()
    {
        while (true)
        {
            var frame = await ReceiveAsync();
            if (frame?.Opcode != Ping)
                return frame;
            await SendFrameAsync(Pong, frame.Payload);
        }
    }

    /// <summary>Reads frames until a close frame; returns it (null if the socket closed first).</summary>
    public async Task<RawFrame?> ReceiveCloseAsync()
    {
        while (true)
        {
            var frame = await ReceiveAsync();
            if (frame is null || frame.Opcode == Close)
                return frame;
        }
    }

    /// <summary>True once the server has closed the TCP connection (all further bytes discarded).</summary>
    public async Task<bool> ServerClosedAsync()
    {
        try
        {
            while (await FillAsync(_end - _start + 1))
                _start = _end;
            return true;
        }
        catch (IOException)
        {
            return true; // a reset is a close too
        }
    }

    private async Task ReadResponseAsync()
    {
        while (true)
        {
            var text = Encoding.ASCII.GetString(_buffer, _start, _end - _start);
            var endOfHeaders = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (endOfHeaders >= 0)
            {
                var lines = text[..endOfHeaders].Split("\r\n");
                Status = int.Parse(lines[0].Split(' ')[1]);
                foreach (var line in lines.Skip(1))
                {
                    var colon = line.IndexOf(':');
                    Headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
                }
                _start += endOfHeaders + 4;
                if (Status != 101)
                    Body = await ReadBodyAsync();
                return;
            }
            if (!await FillAsync(_end - _start + 1))
                throw new IOException("the server closed the connection during the handshake");
        }
    }

    private async Task<string> ReadBodyAsync()
    {
        if (Headers.TryGetValue("Content-Length", out var contentLength))
        {
            var length = int.Parse(contentLength);
            await FillAsync(length);
            return Encoding.UTF8.GetString(_buffer, _start, length);
        }
        // Chunked: read until the terminating chunk.
        while (!Encoding.ASCII.GetString(_buffer, _start, _end - _start).Contains("\r\n0\r\n\r\n") && await FillAsync(_end - _start + 1))
        {
        }
        var chunked = Encoding.UTF8.GetString(_buffer, _start, _end - _start);
        var body = new StringBuilder();
        var at = 0;
        while (true)
        {
            var lineEnd = chunked.IndexOf("\r\n", at, StringComparison.Ordinal);
            var size = Convert.ToInt32(chunked[at..lineEnd], 16);
            if (size == 0)
                return body.ToString();
            body.Append(chunked.AsSpan(lineEnd + 2, size));
            at = lineEnd + 2 + size + 2;
        }
    }

    private async Task<bool> FillAsync(int count)
    {
        if (_end - _start >= count)
            return true;
        MakeRoom(count);
        using var guard = new CancellationTokenSource(HangGuard);
        while (_end - _start < count)
        {
            var n = await _stream.ReadAsync(_buffer.AsMemory(_end), guard.Token);
            if (n == 0)
                return false;
            _end += n;
        }
        return true;
    }

    /// <summary>Moves the unread bytes to the front and grows the buffer until <paramref name="count"/> of them fit.</summary>
    private void MakeRoom(int count)
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (count > _buffer.Length)
            Array.Resize(ref _buffer, Math.Max(count, _buffer.Length * 2));
    }

    public ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        return ValueTask.CompletedTask;
    }
}

using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Reflection;
using System.Text;
using System.Text.Json;
using Switchboard.Streams;
using Switchboard.Streams.Framing;
using Switchboard.Streams.Hosting;
using Switchboard.Streams.Json;

namespace Switchboard.Actors.Tests;

/// <summary>
/// A real connection over in-memory pipes, for the specs of the actors that hold connections: its graph runs on the test's
/// connection hosts, and the test reads back, as the client would, the frames the server wrote.
/// </summary>
internal sealed class TestConnection : IInboundHandler
{
    /// <summary>Long enough for a loaded machine; a frame that comes at all comes well within it.</summary>
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(15);

    private readonly PipeReader _fromServer;

    private TestConnection(WebSocketConnection connection, PipeReader fromServer)
    {
        Connection = connection;
        _fromServer = fromServer;
    }

    public WebSocketConnection Connection { get; }

    public string Id => Connection.Id;

    /// <summary>Opens a connection with no welcome frame, so that the first frame read is the first the test caused.</summary>
    public static TestConnection Open(ConnectionHosts hosts, string id, ConnectionCounters counters, ConnectionOptions? options = null)
    {
        var toServer = new Pipe();
        var fromServer = new Pipe();
        TestConnection? opened = null;
        // The client's side of toServer stays open and silent: the specs drive the connection from the node's side only.
        ConnectionGraph.Run(id, new ConnectionTransport(toServer.Reader, fromServer.Writer, () => { }), options ?? new ConnectionOptions(),
            null, counters, null, c => opened = new TestConnection(c, fromServer.Reader), hosts);
        return opened!;
    }

    public Task<ServerFrame> ReceiveAsync() => ServerFrameReader.ReadAsync(_fromServer, ReadTimeout);

    /// <summary>The next frame, which must be a text frame.</summary>
    public async Task<string> ReceiveTextAsync()
    {
        var frame = await ReceiveAsync();
        Assert.Equal(Opcode.Text, frame.Opcode);
        return frame.Text;
    }

    /// <summary>The next frame, which must be a text frame, as JSON.</summary>
    public async Task<JsonElement> ReceiveJsonAsync() => JsonDocument.Parse(await ReceiveTextAsync()).RootElement.Clone();

    public bool OnFrame(ClientFrame frame) => true;

    public void OnEnded()
    {
    }

    /// <summary>
    /// A connection that never runs, for the state tests: they need its identity alone, and its constructor is the Streams
    /// assembly's own (<see cref="ConnectionGraph.Run"/> would need an actor system for its host).
    /// </summary>
    public static WebSocketConnection Detached(string id)
    {
        var pipe = new Pipe();
        object?[] arguments = [id, new ConnectionOptions(), null, new ConnectionTransport(pipe.Reader, pipe.Writer, () => { }),
            new ConnectionCounters(), null];
        return (WebSocketConnection)Activator.CreateInstance(typeof(WebSocketConnection),
            BindingFlags.Instance | BindingFlags.NonPublic, null, arguments, null)!;
    }
}

/// <summary>One frame as the server wrote it.</summary>
internal readonly record struct ServerFrame(Opcode Opcode, byte[] Payload)
{
    public string Text => Encoding.UTF8.GetString(Payload);

    /// <summary>The status code of a close frame.</summary>
    public ushort CloseCode => Payload.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(Payload) : (ushort)0;
}

/// <summary>
/// Reads the server's frames off its output pipe: unmasked, unfragmented and uncompressed, as the server writes them to a
/// client that did not negotiate permessage-deflate; anything else fails the test rather than being misread.
/// </summary>
internal static class ServerFrameReader
{
    public static async Task<ServerFrame> ReadAsync(PipeReader reader, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            var read = await reader.ReadAsync(deadline.Token);
            var buffer = read.Buffer;
            if (TryParse(buffer, out var frame, out var length))
            {
                reader.AdvanceTo(buffer.GetPosition(length));
                return frame;
            }
            if (read.IsCompleted)
                throw new EndOfStreamException("the server's side ended without a whole frame");
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <param name="length">The whole frame's length, header included.</param>
    public static bool TryParse(ReadOnlySequence<byte> buffer, out ServerFrame frame, out long length)
    {
        frame = default;
        length = 0;
        if (buffer.Length < 2)
            return false;
        Span<byte> header = stackalloc byte[10];
        var have = (int)Math.Min(header.Length, buffer.Length);
        buffer.Slice(0, have).CopyTo(header);
        if ((header[0] & 0x80) == 0)
            throw new InvalidDataException("a fragmented server frame: the reader takes whole frames only");
        if ((header[0] & 0x70) != 0)
            throw new InvalidDataException("a server frame with RSV bits set: the reader takes uncompressed frames only");
        if ((header[1] & 0x80) != 0)
            throw new InvalidDataException("a masked server frame (RFC 6455 §5.1 forbids it)");
        long payload = header[1] & 0x7F;
        var offset = 2;
        if (payload == 126)
        {
            if (have < 4)
                return false;
            payload = BinaryPrimitives.ReadUInt16BigEndian(header[2..]);
            offset = 4;
        }
        else if (payload == 127)
        {
            if (have < 10)
                return false;
            payload = checked((long)BinaryPrimitives.ReadUInt64BigEndian(header[2..]));
            offset = 10;
        }
        if (buffer.Length < offset + payload)
            return false;
        frame = new ServerFrame((Opcode)(header[0] & 0x0F), buffer.Slice(offset, payload).ToArray());
        length = offset + payload;
        return true;
    }
}

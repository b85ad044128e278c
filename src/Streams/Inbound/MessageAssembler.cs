using System.Text.Unicode;
using Switchboard.Streams.Compression;
using Switchboard.Streams.Framing;

namespace Switchboard.Streams.Inbound;

/// <summary>
/// Joins data frames into messages (RFC 6455 §5.4): checks the fragment sequence, the size
/// limit as fragments arrive (never buffering past it), inflation, and UTF-8: of binary messages too, since they carry
/// the same JSON as text ones and reach recipients as text.
/// Control frames do not pass through here.
/// </summary>
public sealed class MessageAssembler(int maxMessageSize, int? compressionLevel)
{
    /// <summary>
    /// Frames one message may come in. Clients fragment rarely and coarsely; without a bound, empty
    /// continuation frames would keep a connection busy forever without ever making a message.
    /// </summary>
    public const int MaxFragments = 64;

    private int _fragmentCount;
    private bool _compressed;
    private bool _inMessage;
    private byte[] _fragments = [];
    private int _length;

    /// <summary>Adds a data frame; returns the message it completes, or null.</summary>
    /// <exception cref="ProtocolViolation">The frame breaks the protocol or the limit.</exception>
    public InboundMessage? Add(WebSocketFrame frame)
    {
        if (frame.Opcode == Opcode.Continuation)
        {
            if (!_inMessage)
                throw new ProtocolViolation(CloseCode.ProtocolError, "continuation frame without a message to continue");
            if (++_fragmentCount > MaxFragments)
                throw new ProtocolViolation(CloseCode.MessageTooBig, $"message in more than {MaxFragments} fragments");
            Append(frame.Payload);
            if (!frame.Fin)
                return null;
            _inMessage = false;
            var whole = _fragments.AsSpan(0, _length).ToArray();
            _fragments = [];
            _length = 0;
            return Complete(_compressed, whole);
        }

        if (_inMessage)
            throw new ProtocolViolation(CloseCode.ProtocolError, "a new message started before the previous one ended");
        if (frame.Fin)
            return Complete(frame.Compressed, frame.Payload);

        _inMessage = true;
        _fragmentCount = 1;
        _compressed = frame.Compressed;
        Append(frame.Payload);
        return null;
    }

    private void Append(byte[] payload)
    {
        if ((long)_length + payload.Length > maxMessageSize)
            throw new ProtocolViolation(CloseCode.MessageTooBig, $"message larger than {maxMessageSize} bytes");
        if (_length + payload.Length > _fragments.Length)
            Array.Resize(ref _fragments, Math.Min(maxMessageSize, Math.Max(_fragments.Length * 2, _length + payload.Length)));
        payload.CopyTo(_fragments, _length);
        _length += payload.Length;
    }

    private InboundMessage Complete(bool compressed, byte[] payload)
    {
        if (compressed)
            payload = Inflate(payload);
        if (!Utf8.IsValid(payload))
            throw new ProtocolViolation(CloseCode.InvalidPayload, "message is not valid UTF-8");
        return new InboundMessage(payload);
    }

    private byte[] Inflate(byte[] compressed)
    {
        if (compressionLevel is null)
            throw new ProtocolViolation(CloseCode.ProtocolError, "compressed message without permessage-deflate");
        try
        {
            return MessageDeflater.TryInflate(compressed, maxMessageSize, out var message)
                ? message
                : throw new ProtocolViolation(CloseCode.MessageTooBig, $"message larger than {maxMessageSize} bytes");
        }
        catch (InvalidDataException)
        {
            throw new ProtocolViolation(CloseCode.InvalidPayload, "invalid deflate data");
        }
    }
}

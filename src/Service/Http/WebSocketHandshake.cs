using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using Switchboard.Streams.Compression;

namespace Switchboard.Service.Http;

/// <summary>
/// The server side of the RFC 6455 §4.2 opening handshake: validates the request and works out
/// the answer. Pure, so each rule is tested without a socket.
/// </summary>
public sealed record WebSocketHandshake(string Accept, string? SubProtocol, bool Compress)
{
    /// <summary>The one subprotocol the hub speaks: the JSON frames of PROTOCOL.md.</summary>
    public const string SubProtocolName = "switchboard.v1";

    private const string AcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    /// <summary>Validates a request's method and headers; null and an error when they are not a valid handshake.</summary>
    public static WebSocketHandshake? Negotiate(string method, IHeaderDictionary headers, bool compressionEnabled, out ApiError? error)
    {
        error = Check(method, headers);
        if (error is not null)
            return null;

        var key = headers.SecWebSocketKey.ToString().Trim();
        var subProtocol = HasToken(headers.SecWebSocketProtocol, SubProtocolName, StringComparison.Ordinal) ? SubProtocolName : null;
        var compress = compressionEnabled && PerMessageDeflate.TryNegotiate(headers.SecWebSocketExtensions);
        return new WebSocketHandshake(ComputeAccept(key), subProtocol, compress);
    }

    public static string ComputeAccept(string key)
    {
        var length = key.Length + AcceptGuid.Length;
        var input = length <= 256 ? stackalloc byte[length] : new byte[length];
        Encoding.ASCII.GetBytes(AcceptGuid, input[Encoding.ASCII.GetBytes(key, input)..]);
        Span<byte> hash = stackalloc byte[SHA1.HashSizeInBytes];
        SHA1.HashData(input, hash);
        return Convert.ToBase64String(hash);
    }

    /// <summary>The headers of the 101 response.</summary>
    public IEnumerable<(string Name, string Value)> ResponseHeaders()
    {
        yield return (HeaderNames.Connection, "Upgrade");
        yield return (HeaderNames.Upgrade, "websocket");
        yield return (HeaderNames.SecWebSocketAccept, Accept);
        if (SubProtocol is not null)
            yield return (HeaderNames.SecWebSocketProtocol, SubProtocol);
        if (Compress)
            yield return (HeaderNames.SecWebSocketExtensions, PerMessageDeflate.Response);
    }

    public void ApplyTo(HttpResponse response)
    {
        foreach (var (name, value) in ResponseHeaders())
            response.Headers[name] = value;
    }

    /// <summary>Writes the whole 101 response, for a connection upgraded below Kestrel's HTTP layer.</summary>
    public void WriteResponse(IBufferWriter<byte> writer)
    {
        Write(writer, "HTTP/1.1 101 Switching Protocols\r\n");
        foreach (var (name, value) in ResponseHeaders())
        {
            Write(writer, name);
            Write(writer, ": ");
            Write(writer, value);
            Write(writer, "\r\n");
        }
        Write(writer, "\r\n");
    }

    private static void Write(IBufferWriter<byte> writer, string ascii) =>
        writer.Advance(Encoding.ASCII.GetBytes(ascii, writer.GetSpan(ascii.Length)));

    private static ApiError? Check(string method, IHeaderDictionary headers)
    {
        if (!HttpMethods.IsGet(method))
            return new ApiError("bad_handshake", "a WebSocket upgrade must be a GET request");
        if (!HasToken(headers.Upgrade, "websocket", StringComparison.OrdinalIgnoreCase))
            return new ApiError("websocket_required", "this endpoint only accepts WebSocket upgrades (Upgrade: websocket)");
        if (!HasToken(headers.Connection, "upgrade", StringComparison.OrdinalIgnoreCase))
            return new ApiError("bad_handshake", "the Connection header must include \"Upgrade\"");
        if (headers.SecWebSocketVersion.ToString().Trim() != "13")
            return new ApiError("unsupported_version", "Sec-WebSocket-Version must be 13");
        if (!IsValidKey(headers.SecWebSocketKey.ToString().Trim()))
            return new ApiError("bad_handshake", "Sec-WebSocket-Key must be 16 bytes in base64");
        return null;
    }

    private static bool IsValidKey(string key)
    {
        Span<byte> decoded = stackalloc byte[24];
        return key.Length == 24 && Convert.TryFromBase64String(key, decoded, out var length) && length == 16;
    }

    // Whether a comma-separated header (over all its lines) lists the token; every upgrade asks, so nothing is allocated.
    private static bool HasToken(Microsoft.Extensions.Primitives.StringValues values, string token, StringComparison comparison)
    {
        foreach (var value in values)
        {
            foreach (var range in value.AsSpan().Split(','))
            {
                if (value.AsSpan()[range].Trim().Equals(token, comparison))
                    return true;
            }
        }
        return false;
    }
}

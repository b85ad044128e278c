using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
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

    /// <summary>Validates <paramref name="request"/>; null and an error when it is not a valid handshake.</summary>
    public static WebSocketHandshake? Negotiate(HttpRequest request, bool compressionEnabled, out ApiError? error)
    {
        error = Check(request);
        if (error is not null)
            return null;

        var key = request.Headers.SecWebSocketKey.ToString().Trim();
        var subProtocol = Tokens(request.Headers.SecWebSocketProtocol)
            .FirstOrDefault(p => p.Equals(SubProtocolName, StringComparison.Ordinal));
        var compress = compressionEnabled && PerMessageDeflate.TryNegotiate(request.Headers.SecWebSocketExtensions);
        return new WebSocketHandshake(ComputeAccept(key), subProtocol, compress);
    }

    public static string ComputeAccept(string key) =>
        Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + AcceptGuid)));

    public void ApplyTo(HttpResponse response)
    {
        response.Headers.Connection = "Upgrade";
        response.Headers.Upgrade = "websocket";
        response.Headers.SecWebSocketAccept = Accept;
        if (SubProtocol is not null)
            response.Headers.SecWebSocketProtocol = SubProtocol;
        if (Compress)
            response.Headers.SecWebSocketExtensions = PerMessageDeflate.Response;
    }

    private static ApiError? Check(HttpRequest request)
    {
        if (!HttpMethods.IsGet(request.Method))
            return new ApiError("bad_handshake", "a WebSocket upgrade must be a GET request");
        if (!Tokens(request.Headers.Upgrade).Any(t => t.Equals("websocket", StringComparison.OrdinalIgnoreCase)))
            return new ApiError("websocket_required", "this endpoint only accepts WebSocket upgrades (Upgrade: websocket)");
        if (!Tokens(request.Headers.Connection).Any(t => t.Equals("upgrade", StringComparison.OrdinalIgnoreCase)))
            return new ApiError("bad_handshake", "the Connection header must include \"Upgrade\"");
        if (request.Headers.SecWebSocketVersion.ToString().Trim() != "13")
            return new ApiError("unsupported_version", "Sec-WebSocket-Version must be 13");
        if (!IsValidKey(request.Headers.SecWebSocketKey.ToString().Trim()))
            return new ApiError("bad_handshake", "Sec-WebSocket-Key must be 16 bytes in base64");
        return null;
    }

    private static bool IsValidKey(string key)
    {
        Span<byte> decoded = stackalloc byte[24];
        return key.Length == 24 && Convert.TryFromBase64String(key, decoded, out var length) && length == 16;
    }

    private static IEnumerable<string> Tokens(Microsoft.Extensions.Primitives.StringValues values) =>
        values.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
}

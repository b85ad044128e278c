using System.Buffers;
using System.IO.Pipelines;
using System.Text.Unicode;
using Microsoft.AspNetCore.Http;

namespace Switchboard.Service.Http;

/// <summary>
/// The door for every API request body: at most <see cref="MaxBytes"/> (413 beyond, read no further than one byte past
/// it) and valid UTF-8 (400 otherwise), JSON's only encoding (RFC 8259 §8.1). What passes can be routed to clients as
/// text as it is.
/// </summary>
public static class RequestBody
{
    public const int MaxBytes = 64 * 1024;

    private static readonly ApiError TooLarge = new("body_too_large", $"request bodies are limited to {MaxBytes} bytes");
    private static readonly ApiError NotUtf8 = new("invalid_json", "the body is not valid UTF-8");

    /// <summary>The whole body, or null and the answer that refuses it.</summary>
    public static async Task<(byte[]? Body, IResult? Failure)> ReadAsync(HttpRequest request)
    {
        if (request.ContentLength > MaxBytes)
            return (null, TooLarge.ToResult(StatusCodes.Status413PayloadTooLarge));
        var body = await ReadUpToLimitAsync(request.BodyReader);
        if (body is null)
            return (null, TooLarge.ToResult(StatusCodes.Status413PayloadTooLarge));
        return Utf8.IsValid(body) ? (body, null) : (null, NotUtf8.ToResult(StatusCodes.Status400BadRequest));
    }

    // Null when the body is over the limit.
    private static async Task<byte[]?> ReadUpToLimitAsync(PipeReader reader)
    {
        while (true)
        {
            var read = await reader.ReadAsync();
            if (read.Buffer.Length > MaxBytes)
            {
                reader.AdvanceTo(read.Buffer.Start);
                return null;
            }
            if (read.IsCompleted)
            {
                var body = read.Buffer.ToArray();
                reader.AdvanceTo(read.Buffer.End);
                return body;
            }
            reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
        }
    }
}

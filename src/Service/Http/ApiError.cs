using Microsoft.AspNetCore.Http;
using Switchboard.Streams.Json;

namespace Switchboard.Service.Http;

/// <summary>The error body of every 4xx and 5xx answer: <c>{"error":"code","message":"..."}</c>.</summary>
public sealed record ApiError(string Error, string Message)
{
    /// <summary>The HTTP form of an error the socket would send as an <c>error</c> frame: the same code and message.</summary>
    public static ApiError Of(FrameError error) => new(error.Code, error.Message);

    public IResult ToResult(int status) => Results.Json(this, HttpJson.Options, statusCode: status);

    public Task WriteAsync(HttpContext context, int status)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(this, HttpJson.Options);
    }
}

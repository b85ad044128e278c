using Microsoft.AspNetCore.Http;

namespace Switchboard.Service.Http;

/// <summary>The error body of every 4xx and 5xx answer: <c>{"error":"code","message":"..."}</c>.</summary>
public sealed record ApiError(string Error, string Message)
{
    public IResult ToResult(int status) => Results.Json(this, HttpJson.Options, statusCode: status);

    public Task WriteAsync(HttpContext context, int status)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(this, HttpJson.Options);
    }
}

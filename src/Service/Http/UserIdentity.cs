using Microsoft.AspNetCore.Http;

namespace Switchboard.Service.Http;

/// <summary>Who is connecting: <c>user_id</c> in the query, else the X-User-ID header, else a generated <c>anon-</c> id.</summary>
public static class UserIdentity
{
    public const int MaxLength = 128;

    /// <summary>Null and an error when the given id is unusable.</summary>
    public static string? Resolve(HttpRequest request, out ApiError? error)
    {
        error = null;
        var given = request.Query["user_id"].ToString();
        if (given.Length == 0)
            given = request.Headers["X-User-ID"].ToString();
        if (given.Length == 0)
            return $"anon-{Guid.NewGuid():N}"[..17];
        if (!IsValid(given))
        {
            error = new ApiError("invalid_user_id", $"a user id is 1 to {MaxLength} characters with no control characters");
            return null;
        }
        return given;
    }

    public static bool IsValid(string id) => id.Length is > 0 and <= MaxLength && !id.Any(char.IsControl);
}

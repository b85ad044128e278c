using Microsoft.AspNetCore.Http;
using Switchboard.Actors.Routing;

namespace Switchboard.Service.Http;

/// <summary>
/// Who is connecting and what they join: <c>user_id</c> in the query, else the X-User-ID header,
/// else a generated <c>anon-</c> id; <c>groups=a,b</c> to join at connect time.
/// </summary>
public static class UserIdentity
{
    /// <summary>Null and an error when the given id is unusable.</summary>
    public static string? Resolve(IQueryCollection query, IHeaderDictionary headers, out ApiError? error)
    {
        error = null;
        var given = query["user_id"].ToString();
        if (given.Length == 0)
            given = headers["X-User-ID"].ToString();
        if (given.Length == 0)
            return $"anon-{Guid.NewGuid():N}"[..17];
        if (!Names.IsValid(given))
        {
            error = new ApiError("invalid_user_id", $"a user id is 1 to {Names.MaxLength} characters with no control characters");
            return null;
        }
        return given;
    }

    /// <summary>
    /// The groups named in <c>groups=</c> and <paramref name="fromToken"/> (a token's own names; its patterns ending
    /// in <c>*</c> are not joined); null and an error when one is unusable or there are more than <paramref name="max"/>.
    /// </summary>
    public static IReadOnlyList<string>? Groups(IQueryCollection query, int max, out ApiError? error,
        IReadOnlyList<string>? fromToken = null)
    {
        error = null;
        var groups = query["groups"].SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries))
            .Concat(fromToken?.Where(g => !g.EndsWith('*')) ?? [])
            .Where(g => g.Length > 0).Distinct().ToList();
        if (!groups.All(Names.IsValid))
            error = new ApiError("invalid_group", $"a group name is 1 to {Names.MaxLength} characters with no control characters");
        else if (groups.Count > max)
            error = new ApiError("too_many_groups", $"a connection may join at most {max} groups");
        return error is null ? groups : null;
    }
}

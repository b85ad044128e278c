using Switchboard.Actors.History;
using Microsoft.AspNetCore.Http;
using Switchboard.Actors.Routing;

namespace Switchboard.Service.Http;

/// <summary>
/// Who is connecting and what they join: <c>user_id</c> in the query, else the X-User-ID header,
/// else a generated <c>anon-</c> id; <c>groups=a,b</c> to join at connect time.
/// </summary>
public static class UserIdentity
{
    /// <summary>Why a connection may not be <paramref name="userId"/>, or null when it may (<see cref="Names.CheckConnectable"/>).</summary>
    public static ApiError? Refusal(string userId) => Names.CheckConnectable(userId) is { } refused ? ApiError.Of(refused) : null;

    /// <summary>The given id, else a generated one; null and an error when the given id is unusable.</summary>
    public static string? Resolve(IQueryCollection query, IHeaderDictionary headers, out ApiError? error) =>
        Requested(query, headers, out error) ?? (error is null ? Anonymous() : null);

    /// <summary>The id the client asked for (<c>user_id</c>, else <c>X-User-ID</c>); null when none, or, with an error, when unusable.</summary>
    public static string? Requested(IQueryCollection query, IHeaderDictionary headers, out ApiError? error)
    {
        error = null;
        var given = query["user_id"].ToString();
        if (given.Length == 0)
            given = headers["X-User-ID"].ToString();
        if (given.Length == 0)
            return null;
        error = Refusal(given);
        return error is null ? given : null;
    }

    /// <summary>A new anonymous user id, <c>anon-</c> and 12 hex digits.</summary>
    public static string Anonymous() => $"anon-{Guid.NewGuid():N}"[..17];

    /// <summary>
    /// The groups named in <c>groups=</c> and <paramref name="fromToken"/> (a token's own names; its patterns ending
    /// in <c>*</c> are not joined); null and an error when one is unusable or there are more than <paramref name="max"/>.
    /// </summary>
    /// <param name="resumed">The groups named in <c>resume_groups=</c>, joined as if named in <c>groups=</c>.</param>
    public static IReadOnlyList<string>? Groups(IQueryCollection query, int max, out ApiError? error,
        IReadOnlyList<string>? fromToken = null, IEnumerable<string>? resumed = null)
    {
        error = null;
        var groups = query["groups"].SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries))
            .Concat(fromToken?.Where(g => !g.EndsWith('*')) ?? [])
            .Concat(resumed ?? [])
            .Where(g => g.Length > 0).Distinct().ToList();
        if (groups.Select(g => Names.Check(g, NameKind.Group)).FirstOrDefault(e => e is not null) is { } invalid)
            error = ApiError.Of(invalid);
        else if (groups.Count > max)
            error = new ApiError("too_many_groups", $"a connection may join at most {max} groups");
        return error is null ? groups : null;
    }

    /// <summary>
    /// The stream positions named at connect: <c>resume=&lt;epoch&gt;:&lt;seq&gt;</c> for the user stream and
    /// <c>resume_groups=g1:&lt;epoch&gt;:&lt;seq&gt;,...</c> (the last two <c>:</c>-parts are the position, so a group
    /// name may hold a colon); null and an error when one is not that shape.
    /// </summary>
    public static ConnectResume? Resume(IQueryCollection query, out ApiError? error)
    {
        error = null;
        if (!query.ContainsKey("resume") && !query.ContainsKey("resume_groups"))
            return ConnectResume.None;
        StreamPosition? user = null;
        if (query["resume"].ToString() is { Length: > 0 } text && (user = StreamPosition.Parse(text)) is null)
        {
            error = new ApiError("invalid_resume", "resume is <epoch>:<seq>: the epoch's letters and digits, then a number of 0 or more");
            return null;
        }
        var groups = new Dictionary<string, StreamPosition>();
        foreach (var entry in query["resume_groups"].SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries)))
        {
            if (entry.Length == 0)
                continue;
            var epochColon = entry.LastIndexOf(':') is var seqColon and > 0 ? entry.LastIndexOf(':', seqColon - 1) : -1;
            if (epochColon <= 0 || StreamPosition.Parse(entry[(epochColon + 1)..]) is not { } position)
            {
                error = new ApiError("invalid_resume", $"each resume_groups entry is <group>:<epoch>:<seq>; \"{entry}\" is not");
                return null;
            }
            groups[entry[..epochColon]] = position;
        }
        return new ConnectResume(user, groups);
    }
}

/// <summary>What a client asked to resume at connect: its user stream's position, and the groups it named with theirs.</summary>
public sealed record ConnectResume(StreamPosition? User, IReadOnlyDictionary<string, StreamPosition> Groups)
{
    /// <summary>Most connects name nothing to resume; they share this, since a connection keeps it for its whole life.</summary>
    public static readonly ConnectResume None = new(null, new Dictionary<string, StreamPosition>());
}

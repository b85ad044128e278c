using System.Text;

namespace Switchboard.Client;

/// <summary>
/// The upgrade URL for one attempt: the user (without tokens), and every group the client holds, each resumed from its
/// position when it has one (<c>resume_groups</c>) and joined plainly when not (<c>groups</c>). What it resumes is kept
/// so that the welcome's positions for those streams are not taken as the client's.
/// </summary>
internal sealed record ConnectTarget(Uri Url, bool ResumesUser, IReadOnlySet<string> ResumedGroups)
{
    public static ConnectTarget For(Uri endpoint, string? userId, IEnumerable<string> groups, PositionBook positions)
    {
        var query = new StringBuilder(endpoint.Query.TrimStart('?'));
        void Add(string name, string value)
        {
            if (query.Length > 0) query.Append('&');
            query.Append(name).Append('=').Append(Uri.EscapeDataString(value));
        }

        if (userId is not null) Add("user_id", userId);
        if (positions.User is { } user) Add("resume", $"{user.Epoch}:{user.Seq}");
        var plain = new List<string>();
        var resumed = new List<string>();
        var resumedGroups = new HashSet<string>(StringComparer.Ordinal);
        foreach (var group in groups)
        {
            if (positions.Group(group) is { } position)
            {
                resumed.Add($"{group}:{position.Epoch}:{position.Seq}");
                resumedGroups.Add(group);
            }
            else
            {
                plain.Add(group);
            }
        }
        if (plain.Count > 0) Add("groups", string.Join(',', plain));
        if (resumed.Count > 0) Add("resume_groups", string.Join(',', resumed));
        var url = new UriBuilder(endpoint) { Query = query.ToString() }.Uri;
        return new ConnectTarget(url, positions.User is not null, resumedGroups);
    }
}

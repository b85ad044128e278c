using Switchboard.Streams.Json;

namespace Switchboard.Actors.Hub;

/// <summary>
/// What one connection may do beyond the node's settings, from its token: broadcast (the <c>broadcast</c> scope),
/// which groups it may join (null: any), and when its token runs out (null: never, as without tokens); and the
/// <c>info</c> presence shows for it (the token's <c>info</c> claim, a JSON object of at most 1 KB).
/// </summary>
public sealed record ConnectionGrant(bool MayBroadcast, GroupPatterns? AllowedGroups, DateTimeOffset? Expires, byte[]? Info = null)
{
    /// <summary>A connection without a token: the node's settings alone decide.</summary>
    public static readonly ConnectionGrant None = new(false, null, null);
}

/// <summary>Group names, each exact or, ending in <c>*</c>, a prefix.</summary>
public sealed class GroupPatterns(IEnumerable<string> patterns)
{
    private readonly HashSet<string> _exact = patterns.Where(p => !p.EndsWith('*')).ToHashSet(StringComparer.Ordinal);
    private readonly string[] _prefixes = patterns.Where(p => p.EndsWith('*')).Select(p => p[..^1]).ToArray();

    public bool Allows(string group) =>
        _exact.Contains(group) || _prefixes.Any(prefix => group.StartsWith(prefix, StringComparison.Ordinal));
}

/// <summary>Checks a replacement token for a connection of <c>userId</c> (the <c>refresh</c> frame).</summary>
public interface ITokenRenewal
{
    /// <summary>The grant of the new token, or the error frame's content when it is not valid for this user.</summary>
    ValueTask<(ConnectionGrant? Grant, FrameError? Error)> RenewAsync(string userId, string token);
}


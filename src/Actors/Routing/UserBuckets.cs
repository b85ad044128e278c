using System.Globalization;
using Akka.Util;

namespace Switchboard.Actors.Routing;

/// <summary>
/// Users are routed in buckets: one <see cref="UserBucketEntity"/> holds every user whose id hashes to it. An entity
/// per user cost an actor, its mailbox and a recovery query to every node for each user that connected.
/// </summary>
public static class UserBuckets
{
    /// <summary>Fixed rather than a setting: every node of a cluster must hash a user to the same bucket.</summary>
    public const int Count = 1024;

    private static readonly string[] EntityIds =
        Enumerable.Range(0, Count).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();

    /// <summary>The same on every node and in every process (unlike string.GetHashCode).</summary>
    public static int Of(string userId) => (int)((uint)MurmurHash.StringHash(userId) % Count);

    public static string EntityIdOf(string userId) => EntityIds[Of(userId)];
}

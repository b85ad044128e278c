using Switchboard.Actors.Routing;

namespace Switchboard.Actors.Tests;

/// <summary>User ids picked by their bucket, since what a partition or a bucket entity answers depends on the hash alone.</summary>
internal static class TestUsers
{
    /// <summary><paramref name="count"/> users who share a bucket, the first of them <c>user-0</c>.</summary>
    public static string[] OfOneBucket(int count)
    {
        var bucket = UserBuckets.Of("user-0");
        return Enumerable.Range(0, 1_000_000).Select(i => $"user-{i}").Where(u => UserBuckets.Of(u) == bucket).Take(count).ToArray();
    }

    /// <summary>A user whose bucket is not <paramref name="user"/>'s.</summary>
    public static string OfAnotherBucket(string user) =>
        Enumerable.Range(0, 1_000).Select(i => $"other-{i}").First(u => UserBuckets.Of(u) != UserBuckets.Of(user));
}

using Akka.Actor;
using Switchboard.Actors.Routing;

namespace Switchboard.Actors.Delivery;

/// <summary>
/// This node's <see cref="ConnectionPartition"/>s as its connections see them, and the one function that decides which
/// partition holds a connection: by its user's bucket, so that a user's connections here share a partition and a starting
/// user bucket entity's question goes to exactly one.
/// </summary>
public sealed class NodePartitions(int count)
{
    private IActorRef[]? _refs;

    public int Count => count;

    /// <summary>The partitions, in order; set once the actor system has started them.</summary>
    public IReadOnlyList<IActorRef> Refs => _refs ?? throw new InvalidOperationException("the node's connection partitions have not started");

    public IActorRef Of(string userId) => Refs[IndexOf(UserBuckets.Of(userId), count)];

    /// <summary>The partition that holds the users of <paramref name="bucket"/>.</summary>
    public static int IndexOf(int bucket, int count) => bucket % count;

    internal void Started(IActorRef[] refs) => _refs = refs.Length == count
        ? refs
        : throw new ArgumentException($"{refs.Length} partitions started, {count} expected", nameof(refs));
}

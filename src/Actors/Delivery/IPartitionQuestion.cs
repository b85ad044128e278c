namespace Switchboard.Actors.Delivery;

/// <summary>
/// A question to a node that each of its connection partitions answers in part: <see cref="NodeConnections"/> puts it to every
/// partition and answers with <see cref="Merge"/> of their parts. A new question about the node's connections needs its
/// record and its partition's handler, nothing in between.
/// </summary>
public interface IPartitionQuestion
{
    /// <summary>The node's answer from its partitions' <paramref name="parts"/>, one each, in partition order.</summary>
    object Merge(object[] parts, string node);
}

namespace Switchboard.IntegrationTests.Support;

/// <summary>
/// Tests that run several node processes. They run one class at a time, after the parallel
/// tests, so that no other test starves a node of CPU long enough for the failure detector
/// (3 s) to mark it unreachable: on 2 cores that made them flaky. The classes whose subject leaves a plain
/// three-node cluster as they found it share one (<see cref="ClusterTests.ThreeNodes"/>), started once for the collection.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterCollection : ICollectionFixture<ClusterTests.ThreeNodes>
{
    public const string Name = "Cluster node processes";
}

using Akka.Actor;
using Akka.Hosting;
using Switchboard.Actors.Routing.State;

namespace Switchboard.Actors.Tests;

/// <summary>A user's connections as a user bucket entity keeps them: one inline, more in a dictionary, the same answers either way.</summary>
public sealed class UserConnectionsSpecs : Akka.Hosting.TestKit.TestKit
{
    // Probes stand in for the nodes' partitions; nothing else runs.
    protected override void ConfigureAkka(AkkaConfigurationBuilder builder, IServiceProvider provider)
    {
    }

    [Fact]
    public void One_connection_then_more_on_two_nodes_then_back_to_none()
    {
        var (a, b) = (CreateTestProbe().Ref, CreateTestProbe().Ref);
        var user = new UserConnections();
        user.Set("c1", a);
        Assert.Equal((1, 1, a), (user.Count, user.NodeCount, user.OnlyNode()));
        Assert.Equal(["c1"], user.Ids());

        user.Set("c2", a);
        user.Set("c3", b);
        Assert.Equal((3, 2), (user.Count, user.NodeCount));
        Assert.Null(user.OnlyNode());
        Assert.Equal(["c1", "c2", "c3"], user.Ids().Order());

        user.RemoveNode(a);
        Assert.Equal((1, b), (user.Count, user.OnlyNode()));
        Assert.False(user.Remove("c1"));
        Assert.True(user.Remove("c3"));
        Assert.Equal(0, user.Count);
        Assert.Empty(user.All);
    }

    [Fact]
    public void The_one_connection_moved_to_another_node_or_removed_by_its_node()
    {
        var (a, b) = (CreateTestProbe().Ref, CreateTestProbe().Ref);
        var user = new UserConnections();
        user.Set("c1", a);
        user.Set("c1", b);
        Assert.Equal((1, b), (user.Count, user.OnlyNode()));
        user.RemoveNode(a);
        Assert.Equal(1, user.Count);
        user.RemoveNode(b);
        Assert.Equal((0, (IActorRef?)null), (user.Count, user.OnlyNode()));
    }
}

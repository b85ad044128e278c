using System.Text;
using Akka.Actor;
using Akka.Event;
using Akka.Hosting;
using Switchboard.Actors.Hub;
using Switchboard.Streams.Framing;
using static Switchboard.Actors.Admin.AdminProtocol;
using static Switchboard.Actors.Delivery.DeliveryProtocol;

namespace Switchboard.Actors.Tests;

/// <summary>A connection partition's answers to the admin API and to its node: listings, group sizes, kicks.</summary>
public sealed class ConnectionPartitionAdminSpecs : ConnectionPartitionKit
{
    // The admin answers name the node, which takes the cluster provider.
    protected override void ConfigureAkka(AkkaConfigurationBuilder builder, IServiceProvider provider) => builder.AsClusterNode();

    private string NodeName => Hub.NodeName.Of(Sys);

    [Fact]
    public async Task A_kick_of_a_user_closes_each_of_their_connections_with_1008_and_the_reason_and_says_how_many()
    {
        var (partition, _) = Start();
        var (ann1, _) = Connect(partition, "a1", "ann");
        var (ann2, _) = Connect(partition, "a2", "ann");
        var (ben, _) = Connect(partition, "b1", "ben");

        partition.Tell(new Kick("ann", null, "spam", "ops"));
        Assert.Equal(new Kicked(NodeName, 2), ExpectMsg<Kicked>());
        foreach (var socket in new[] { ann1, ann2 })
        {
            var close = await socket.ReceiveAsync();
            Assert.Equal((Opcode.Close, CloseCode.PolicyViolation, "spam"),
                (close.Opcode, close.CloseCode, Encoding.UTF8.GetString(close.Payload.AsSpan(2))));
        }
        await AssertNextIsMarker(partition, ben);
    }

    [Fact]
    public async Task A_kick_naming_a_connection_of_another_user_closes_nothing()
    {
        var (partition, _) = Start();
        var (ann, _) = Connect(partition, "a1", "ann");

        partition.Tell(new Kick("ben", "a1", "spam", "ops"));
        Assert.Equal(new Kicked(NodeName, 0), ExpectMsg<Kicked>());
        await AssertNextIsMarker(partition, ann);

        partition.Tell(new Kick(null, "a1", "spam", "ops"));
        Assert.Equal(new Kicked(NodeName, 1), ExpectMsg<Kicked>());
        Assert.Equal(Opcode.Close, (await ann.ReceiveAsync()).Opcode);
    }

    [Fact]
    public void A_kick_writes_its_audit_line_where_it_closed_connections_and_none_where_it_closed_none()
    {
        var (partition, _) = Start();
        Connect(partition, "a1", "ann");
        var log = CreateTestProbe();
        Sys.EventStream.Subscribe(log, typeof(Info));

        // The partitions of a node without the user answer too: were they to log, a kick would have a line per partition.
        partition.Tell(new Kick("ben", null, "spam", "ops"));
        partition.Tell(new Kick(null, "a1", "spam", "ops"));
        Assert.Equal(0, ExpectMsg<Kicked>().Closed);
        Assert.Equal(1, ExpectMsg<Kicked>().Closed);
        // The partition logs in order: the first audit line is the second kick's.
        var audit = log.FishForMessage<Info>(info => info.ToString().Contains("Audit: kick"));
        Assert.Contains("kick by ops target connection a1", audit.ToString());
    }

    [Fact]
    public void The_connections_are_listed_a_page_at_a_time_under_the_nodes_name()
    {
        var (partition, _) = Start();
        Connect(partition, "c2", "ann", ["g"]);
        Connect(partition, "c1", "ben");
        Connect(partition, "c3", "ann");

        partition.Tell(new ListConnections(null, null, 2));
        var page = ExpectMsg<ConnectionList>();
        Assert.Equal((NodeName, true), (page.Node, page.More));
        Assert.Equal(["c1", "c2"], page.Connections.Select(c => c.ConnectionId));
        Assert.Equal(["g"], page.Connections[1].Groups);

        partition.Tell(new ListConnections("ann", "c2", 2));
        var anns = ExpectMsg<ConnectionList>();
        Assert.Equal(["c3"], anns.Connections.Select(c => c.ConnectionId));
        Assert.False(anns.More);
    }

    [Fact]
    public void The_groups_with_members_here_are_listed_a_page_at_a_time_and_sized_for_the_node()
    {
        var (partition, _) = Start();
        Connect(partition, "c1", "ann", ["b", "a"]);
        Connect(partition, "c2", "ben", ["c", "a"]);

        partition.Tell(new ListGroups("a", 1));
        var page = ExpectMsg<GroupList>();
        Assert.Equal((NodeName, true), (page.Node, page.More));
        Assert.Equal(["b"], page.Groups);
        partition.Tell(new ListGroups("b", 1));
        var last = ExpectMsg<GroupList>();
        Assert.Equal(["c"], last.Groups);
        Assert.False(last.More);

        partition.Tell(new ListLargestGroups(1)); // answered with every group here: the node picks the largest
        Assert.Equal([("a", 2), ("b", 1), ("c", 1)], ExpectMsg<GroupSizes>().Sizes.Order());
    }

    [Fact]
    public void The_node_is_given_every_connection_here()
    {
        var (partition, _) = Start();
        var (_, a1) = Connect(partition, "a1", "ann");
        var (_, b1) = Connect(partition, "b1", "ben");

        partition.Tell(ListHere.Instance);
        Assert.Equal([a1, b1], ExpectMsg<LocalConnection[]>().OrderBy(l => l.Id));
    }
}

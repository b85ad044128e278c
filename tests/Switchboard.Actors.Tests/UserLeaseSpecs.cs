using Akka.Actor;
using System.Text;
using Akka.Hosting;
using Switchboard.Actors.Routing;
using Switchboard.Streams.Outbound;
using static Switchboard.Actors.Delivery.DeliveryProtocol;

namespace Switchboard.Actors.Tests;

/// <summary>
/// A lease on the sender's node: the partition keeps it, the ledger's senders use it. The user's entity is the probe
/// <see cref="ConnectionPartitionKit.Users"/>; the test plays it, granting with deliveries.
/// </summary>
public sealed class UserLeaseSpecs : ConnectionPartitionKit
{
    protected override void ConfigureAkka(AkkaConfigurationBuilder builder, IServiceProvider provider)
    {
    }

    private static OutboundFrame Chat(int n) => OutboundFrame.Text(Encoding.UTF8.GetBytes($"{{\"type\":\"chat\",\"data\":{{\"n\":{n}}}}}"));

    private bool Send(int n) =>
        Ledger.SendToUser(new UserProtocol.SendToUser("ann", Chat(n), Sender: "ben"), new RelayProtocol.ReplyTarget(TestActor, "c9", default));

    // The entity's side: the message arrives stamped, and goes on to the partition with the lease.
    private RelayStamp Routed() => Users.ExpectMsg<UserProtocol.SendToUser>().Stamp!.RoutedTo(1);

    [Fact]
    public async Task Once_granted_with_a_counted_message_the_next_ones_go_straight_to_the_connections_until_revoked()
    {
        var (partition, _) = Start();
        var (ann, _) = Connect(partition, "c1", "ann");

        // No lease yet: through the entity, uncounted; the grant that comes with it makes an inactive lease.
        Assert.False(Send(1));
        partition.Tell(new DeliverToConnections(["c1"], Chat(1), Routed(), LeaseFor: "ann"));
        Assert.Contains("\"n\":1", await ann.ReceiveTextAsync());

        // Counted in the lease: its grant activates it.
        Assert.False(Send(2));
        partition.Tell(new DeliverToConnections(["c1"], Chat(2), Routed(), LeaseFor: "ann"));
        Assert.Contains("\"n\":2", await ann.ReceiveTextAsync());
        Handled(partition);

        Assert.True(Send(3));
        Assert.Contains("\"n\":3", await ann.ReceiveTextAsync());
        Users.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        Assert.Equal(1, Counters.SentHere);

        partition.Tell(new UserProtocol.RevokeLease("ann"));
        ExpectMsg<UserProtocol.LeaseRevoked>(revoked => revoked.UserId == "ann");
        Assert.False(Send(4));
        Assert.Equal("ann", Users.ExpectMsg<UserProtocol.SendToUser>().UserId);
    }

    [Fact]
    public async Task A_grant_waits_while_a_counted_message_is_still_on_its_way_through_the_entity()
    {
        var (partition, _) = Start();
        var (ann, _) = Connect(partition, "c1", "ann");
        Send(1);
        partition.Tell(new DeliverToConnections(["c1"], Chat(1), Routed(), LeaseFor: "ann"));
        await ann.ReceiveTextAsync();

        Send(2);
        Send(3);
        var (second, third) = (Routed(), Routed());
        partition.Tell(new DeliverToConnections(["c1"], Chat(2), second, LeaseFor: "ann"));
        Handled(partition);
        // Message 3 is not delivered yet: a direct message now would overtake it.
        Assert.False(Send(4));
        Assert.Equal("ann", Users.ExpectMsg<UserProtocol.SendToUser>().UserId);

        partition.Tell(new DeliverToConnections(["c1"], Chat(3), third));
        Assert.Contains("\"n\":2", await ann.ReceiveTextAsync());
        Assert.Contains("\"n\":3", await ann.ReceiveTextAsync());
    }

    [Fact]
    public async Task A_lease_ends_with_the_users_last_connection_here_and_with_a_new_entity_for_its_bucket()
    {
        var (partition, _) = Start();
        var (ann, annLocal) = Connect(partition, "c1", "ann");
        for (var n = 1; n <= 2; n++)
        {
            Send(n);
            partition.Tell(new DeliverToConnections(["c1"], Chat(n), Routed(), LeaseFor: "ann"));
            await ann.ReceiveTextAsync();
        }
        Handled(partition);
        Assert.True(Send(3));

        // A bucket's entity starting anew asks the partition who is here: the lease it never gave ends.
        partition.Tell(new RegistryProtocol.FindUsers(UserBuckets.Of("ann"), TestActor));
        ExpectMsg<RegistryProtocol.UsersFound>();
        Assert.False(Send(4));
        Routed();

        partition.Tell(new ConnectionClosed(annLocal));
        Users.ExpectMsg<UserProtocol.RemoveConnection>();
        Handled(partition);
        Assert.Null(Ledger.Leases.Find("ann"));
    }
}

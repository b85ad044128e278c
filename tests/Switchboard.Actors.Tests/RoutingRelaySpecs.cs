using Switchboard.Actors.Delivery.State;
using Akka.Actor;
using Akka.Hosting;
using Akka.TestKit;
using Switchboard.Actors.Delivery;
using Switchboard.Actors.Routing;
using Switchboard.Streams.Outbound;
using static Switchboard.Actors.Routing.RelayProtocol;

namespace Switchboard.Actors.Tests;

/// <summary>The relay between a node's senders and the shard regions (its ledger and its actor), with probes for the regions and a partition.</summary>
public sealed class RoutingRelaySpecs : Akka.Hosting.TestKit.TestKit
{
    private static readonly OutboundFrame Frame = OutboundFrame.Text("""{"type":"chat"}"""u8);
    private static readonly RoutingRelayOptions Quick = new(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1), 100);

    private readonly RoutingCounters _counters = new();
    private TestProbe _users = null!;
    private TestProbe _groups = null!;
    private TestProbe _delivery = null!;
    private RelayLedger _ledger = null!;

    protected override void ConfigureAkka(AkkaConfigurationBuilder builder, IServiceProvider provider)
    {
    }

    // The probes need the actor system, which the hosting test kit starts after the constructor.
    private IActorRef Start(RoutingRelayOptions? options = null)
    {
        (_users, _groups, _delivery) = (CreateTestProbe(), CreateTestProbe(), CreateTestProbe());
        _ledger = new RelayLedger(options ?? RoutingRelayOptions.Default, _counters);
        var relay = Sys.ActorOf(RoutingRelay.PropsFor(_ledger, _counters));
        _ledger.Start(relay, _users, _groups);
        return relay;
    }

    private ReplyTarget From(string connectionId, string id) => new(_delivery, connectionId, System.Text.Encoding.UTF8.GetBytes(id));

    [Fact]
    public void Messages_go_stamped_to_their_region_and_the_sender_hears_once_when_the_recipient_node_has_it()
    {
        var relay = Start();
        _ledger.Send(new UserProtocol.SendToUser("bob", Frame), From("c1", "1"));
        _ledger.Send(new GroupProtocol.SendToGroup("g", Frame), From("c1", "2"));

        var direct = _users.ExpectMsg<UserProtocol.SendToUser>();
        Assert.Equal(new RelayStamp(relay, 1, Resent: false), direct.Stamp);
        var group = _groups.ExpectMsg<GroupProtocol.SendToGroup>();
        Assert.Equal(2, group.Stamp!.Seq);

        var node = CreateTestProbe().Ref;
        var route = direct.Stamp!.RoutedTo(1);
        route.ConfirmDelivered(node);
        route.ConfirmDelivered(node); // a resent copy's confirmation
        group.Stamp.Confirm(); // an entity that handed it to no node
        Assert.Equal("1", IdOf(_delivery.ExpectMsg<DeliveryProtocol.Accepted>()));
        Assert.Equal("2", IdOf(_delivery.ExpectMsg<DeliveryProtocol.Accepted>()));
    }

    [Fact]
    public void A_message_routed_to_several_nodes_is_done_once_every_node_of_one_route_has_it()
    {
        Start(Quick with { GiveUpAfter = TimeSpan.FromMinutes(1) });
        _ledger.Send(new GroupProtocol.SendToGroup("g", Frame), From("c1", "1"));
        var stamp = _groups.ExpectMsg<GroupProtocol.SendToGroup>().Stamp!;
        var (node1, node2) = (CreateTestProbe().Ref, CreateTestProbe().Ref);

        var first = stamp.RoutedTo(2);
        first.ConfirmDelivered(node1);
        first.ConfirmDelivered(node1); // the same node twice is still one of two
        // Resent meanwhile, and routed again to two nodes: its nodes are counted on their own.
        var second = stamp.RoutedTo(2);
        second.ConfirmDelivered(node2);
        _groups.ExpectMsg<GroupProtocol.SendToGroup>(); // resent: not done yet
        first.ConfirmDelivered(node2);
        Assert.Equal("1", IdOf(_delivery.ExpectMsg<DeliveryProtocol.Accepted>()));
    }

    [Fact]
    public void A_message_this_node_alone_received_is_settled_in_the_ledger_once_and_not_sent_again()
    {
        Start(Quick with { GiveUpAfter = TimeSpan.FromMinutes(1) });
        _ledger.Send(new UserProtocol.SendToUser("bob", Frame), From("c1", "1"));
        var stamp = _users.ExpectMsg<UserProtocol.SendToUser>().Stamp!;

        Assert.True(_ledger.TrySettleHere(stamp.RoutedTo(1)));
        Assert.True(_ledger.TrySettleHere(stamp.RoutedTo(1))); // a resent copy: settled already, the sender heard once
        Assert.Equal("1", IdOf(_delivery.ExpectMsg<DeliveryProtocol.Accepted>()));
        Assert.Equal(0, _ledger.Count);
        _users.ExpectNoMsg(Quick.ResendAfter * 2); // settled: nothing to resend
        _delivery.ExpectNoMsg(TimeSpan.FromMilliseconds(50));

        // Another node's relay, or a route to several nodes: confirmed to the relay as before.
        Assert.False(_ledger.TrySettleHere(new RelayStamp(CreateTestProbe().Ref, 7, Resent: false, Route: 1, Nodes: 1)));
        Assert.False(_ledger.TrySettleHere(stamp.RoutedTo(2)));
    }

    [Fact]
    public void A_refusal_reaches_the_sender_as_an_error()
    {
        Start();
        _ledger.Send(new GroupProtocol.SendToGroup("empty", Frame), From("c1", "9"));
        _groups.ExpectMsg<GroupProtocol.SendToGroup>().Stamp!.Confirm(new("unknown_group", "none"));
        var rejected = _delivery.ExpectMsg<DeliveryProtocol.Rejected>();
        Assert.Equal(("c1", "unknown_group"), (rejected.ConnectionId, rejected.Error.Code));
    }

    [Fact]
    public void An_unconfirmed_message_is_sent_again_marked_resent_until_confirmed()
    {
        Start(Quick);
        _ledger.Send(new UserProtocol.SendToUser("bob", Frame), From("c1", "1"));
        var first = _users.ExpectMsg<UserProtocol.SendToUser>();
        Assert.False(first.Stamp!.Resent);

        var again = _users.ExpectMsg<UserProtocol.SendToUser>();
        Assert.Equal(first.Stamp with { Resent = true }, again.Stamp);
        Assert.Same(first.Frame, again.Frame);
        again.Stamp!.RoutedTo(1).ConfirmDelivered(CreateTestProbe().Ref);
        Assert.Equal("1", IdOf(_delivery.ExpectMsg<DeliveryProtocol.Accepted>()));
        Assert.True(_counters.Resent >= 1);

        // Confirmed: nothing more of seq 1; the next message is the next thing the region sees.
        _ledger.Send(new UserProtocol.SendToUser("eve", Frame));
        Assert.Equal("eve", _users.FishForMessage<UserProtocol.SendToUser>(m => m.UserId == "eve" || m.Stamp!.Seq == 1).UserId);
    }

    [Fact]
    public void A_message_never_confirmed_is_given_up_and_its_sender_told_unavailable()
    {
        Start(Quick);
        _ledger.Send(new GroupProtocol.SendToGroup("g", Frame), From("c1", "1"));
        var rejected = _delivery.ExpectMsg<DeliveryProtocol.Rejected>(TimeSpan.FromSeconds(5));
        Assert.Equal("unavailable", rejected.Error.Code);
        Assert.Equal(1, _counters.Unconfirmed);
    }

    [Fact]
    public void With_too_many_unconfirmed_messages_new_ones_are_refused()
    {
        Start(Quick with { MaxPending = 2, GiveUpAfter = TimeSpan.FromMinutes(1) });
        for (var i = 1; i <= 3; i++)
            _ledger.Send(new UserProtocol.SendToUser("bob", Frame), From("c1", $"{i}"));
        var rejected = _delivery.ExpectMsg<DeliveryProtocol.Rejected>();
        Assert.Equal(("3", "unavailable"), (IdOf(rejected), rejected.Error.Code));
    }

    [Fact]
    public void Senders_on_many_threads_at_once_each_get_their_message_numbered_once_and_confirmed_once()
    {
        var relay = Start(RoutingRelayOptions.Default);
        const int threads = 8, each = 250;
        Parallel.For(0, threads, t =>
        {
            for (var i = 0; i < each; i++)
                _ledger.Send(new UserProtocol.SendToUser("bob", Frame), From("c1", $"{t}-{i}"));
        });
        var node = CreateTestProbe().Ref;
        var seqs = new HashSet<long>();
        for (var i = 0; i < threads * each; i++)
        {
            var stamp = _users.ExpectMsg<UserProtocol.SendToUser>().Stamp!;
            Assert.Equal(relay, stamp.Relay);
            Assert.True(seqs.Add(stamp.Seq));
            stamp.RoutedTo(1).ConfirmDelivered(node);
        }
        var acked = new HashSet<string>();
        for (var i = 0; i < threads * each; i++)
            Assert.True(acked.Add(IdOf(_delivery.ExpectMsg<DeliveryProtocol.Accepted>())));
        _delivery.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        Assert.Equal(0, _ledger.Count);
    }

    private static string IdOf(DeliveryProtocol.Accepted accepted) => System.Text.Encoding.UTF8.GetString(accepted.Id.Span);

    private static string IdOf(DeliveryProtocol.Rejected rejected) => System.Text.Encoding.UTF8.GetString(rejected.Id.Span);
}

public sealed class DeliveredStampsSpecs : Akka.Hosting.TestKit.TestKit
{
    protected override void ConfigureAkka(AkkaConfigurationBuilder builder, IServiceProvider provider)
    {
    }

    [Fact]
    public void The_second_copy_of_a_message_is_recognised_per_relay()
    {
        var (relay1, relay2) = (CreateTestProbe().Ref, CreateTestProbe().Ref);
        var delivered = new DeliveredStamps();
        Assert.True(delivered.IsFirstDelivery(new RelayStamp(relay1, 7, false), out var newRelay));
        Assert.True(newRelay);
        Assert.False(delivered.IsFirstDelivery(new RelayStamp(relay1, 7, true), out newRelay));
        Assert.False(newRelay);
        Assert.True(delivered.IsFirstDelivery(new RelayStamp(relay2, 7, false), out _));
        Assert.True(delivered.IsFirstDelivery(new RelayStamp(relay1, 6, false), out _)); // out of order is fine

        delivered.Forget(relay1);
        // Forgotten: relay1 counts as new again, its 7 as a first copy; relay2 is still known.
        Assert.True(delivered.IsFirstDelivery(new RelayStamp(relay1, 7, true), out newRelay));
        Assert.True(newRelay);
        Assert.False(delivered.IsFirstDelivery(new RelayStamp(relay2, 7, true), out newRelay));
        Assert.False(newRelay);
    }

    [Fact]
    public void Numbers_far_behind_the_newest_count_as_delivered()
    {
        var relay = CreateTestProbe().Ref;
        var delivered = new DeliveredStamps();
        const long span = (long)DeliveredStamps.ChunkSize * DeliveredStamps.KeptChunks;
        Assert.True(delivered.IsFirstDelivery(new RelayStamp(relay, 5, false), out _));
        Assert.True(delivered.IsFirstDelivery(new RelayStamp(relay, 5 + span, false), out _));
        Assert.False(delivered.IsFirstDelivery(new RelayStamp(relay, 6, true), out _));
        Assert.True(delivered.IsFirstDelivery(new RelayStamp(relay, 6 + span - DeliveredStamps.ChunkSize, false), out _));
    }
}

using Akka.Actor;
using Akka.Hosting;
using Switchboard.Actors.Delivery;
using Switchboard.Actors.Delivery.State;
using Switchboard.Actors.Heartbeat;
using Switchboard.Actors.Hub;
using Switchboard.Actors.Routing;
using Switchboard.Streams;
using Switchboard.Streams.Framing;
using static Switchboard.Actors.Delivery.DeliveryProtocol;

namespace Switchboard.Actors.Tests;

/// <summary>A connection partition at work: what routing is told and what each connection receives.</summary>
public sealed class ConnectionPartitionSpecs : ConnectionPartitionKit
{
    // A plain actor system: nothing the partition does here names the node (only its admin answers and history do).
    protected override void ConfigureAkka(AkkaConfigurationBuilder builder, IServiceProvider provider)
    {
    }

    [Fact]
    public void An_opened_connection_is_told_to_its_users_entity_with_the_partition_as_its_node()
    {
        var (partition, queue) = Start();
        var socket = TestConnection.Open(Hosts, "c1", ConnectionCounters);
        partition.Tell(new ConnectionOpened(new LocalConnection(socket.Connection, "ann", partition), []));

        var added = Users.ExpectMsg<UserProtocol.AddConnection>();
        Assert.Equal(("ann", "c1", partition, false), (added.UserId, added.ConnectionId, added.Node, added.OpensStream));
        // Told after the node's figures: a broadcast now counts this connection.
        Assert.Equal((1, 1), (Slots.Users, queue.Connections));
    }

    [Fact]
    public async Task A_join_goes_to_the_group_through_the_relay_and_a_group_delivery_reaches_that_member_alone()
    {
        var (partition, _) = Start();
        var (ann, _) = Connect(partition, "c1", "ann");
        var (ben, _) = Connect(partition, "c2", "ben");
        var (cat, _) = Connect(partition, "c3", "cat");

        partition.Tell(new Join("c1", "g", Id("j1")));
        partition.Tell(new Join("c3", "h", Id("j2")));
        var join = Groups.ExpectMsg<GroupProtocol.AddMember>();
        Assert.Equal(("g", "ann", "c1", partition), (join.Group, join.UserId, join.ConnectionId, join.Node));
        Assert.NotNull(join.Stamp); // relayed: the group entity's confirmation acks the join
        Assert.Equal("h", Groups.ExpectMsg<GroupProtocol.AddMember>().Group);
        Assert.Equal(2, Counters.LocalGroups);

        partition.Tell(new DeliverToGroup("g", News));
        Assert.Equal(NewsJson, await ann.ReceiveTextAsync());
        await AssertNextIsMarker(partition, ann, ben, cat);
        Assert.Equal(1, Counters.DeliveredAs(DeliveryKind.Group));
    }

    [Fact]
    public async Task A_delivery_to_connections_reaches_the_named_ones_here_and_counts_them()
    {
        var (partition, _) = Start();
        var sockets = new[] { Connect(partition, "c1", "ann").Socket, Connect(partition, "c2", "ann").Socket, Connect(partition, "c3", "ben").Socket };

        partition.Tell(new DeliverToConnections(["c2", "gone"], News)); // c-gone closed meanwhile: skipped, not counted
        Assert.Equal(NewsJson, await sockets[1].ReceiveTextAsync());
        Handled(partition);
        Assert.Equal(1, Counters.DeliveredAs(DeliveryKind.Direct));
        await AssertNextIsMarker(partition, sockets);
    }

    [Fact]
    public async Task A_resent_copy_of_a_delivery_is_confirmed_again_but_not_delivered_twice()
    {
        var (partition, _) = Start();
        var (socket, _) = Connect(partition, "c1", "ann");
        // Another node's relay, and a route to two nodes: the partition confirms to the relay itself.
        var relay = CreateTestProbe();
        var stamp = new RelayStamp(relay, 7, Resent: false, Route: 3, Nodes: 2);

        partition.Tell(new DeliverToConnections(["c1"], News, stamp));
        partition.Tell(new DeliverToConnections(["c1"], News, stamp with { Resent = true }));
        Assert.Equal(new RelayProtocol.Delivered(7, 3, 2), relay.ExpectMsg<RelayProtocol.Delivered>());
        Assert.Equal(partition, relay.LastSender);
        Assert.Equal(new RelayProtocol.Delivered(7, 3, 2), relay.ExpectMsg<RelayProtocol.Delivered>());

        Assert.Equal(NewsJson, await socket.ReceiveTextAsync());
        Handled(partition);
        Assert.Equal((1L, 1L), (Counters.RepeatsDropped, Counters.DeliveredAs(DeliveryKind.Direct)));
        await AssertNextIsMarker(partition, socket);
    }

    [Fact]
    public async Task A_broadcast_reaches_every_connection_here_and_frees_its_place_in_the_queue()
    {
        var (partition, queue) = Start(queueCapacity: 1);
        var sockets = new[] { Connect(partition, "c1", "ann").Socket, Connect(partition, "c2", "ben").Socket, Connect(partition, "c3", "cat").Socket };
        Assert.Equal(3, queue.Connections);

        Assert.True(queue.TryEnter()); // as the node's front actor does before it sends
        partition.Tell(new Broadcast(News));
        foreach (var socket in sockets)
            Assert.Equal(NewsJson, await socket.ReceiveTextAsync());
        Handled(partition);

        Assert.Equal(3, Counters.DeliveredAs(DeliveryKind.Broadcast));
        // Its place is free again: with a capacity of one, the queue takes one more broadcast and no second.
        Assert.True(queue.TryEnter());
        Assert.False(queue.TryEnter());
        await AssertNextIsMarker(partition, sockets);
    }

    [Fact]
    public void A_starting_entitys_questions_are_answered_with_the_partition_as_the_node_and_a_group_answer_per_partition()
    {
        var (partition, _) = Start();
        var users = TestUsers.OfOneBucket(2);
        var (ann, eve) = (users[0], users[1]);
        var ben = TestUsers.OfAnotherBucket(ann);
        Connect(partition, "a1", ann, ["g"]);
        Connect(partition, "e1", eve);
        Connect(partition, "b1", ben, ["g"]);

        partition.Tell(new RegistryProtocol.FindUsers(UserBuckets.Of(ann), TestActor));
        var found = ExpectMsg<RegistryProtocol.UsersFound>();
        Assert.Equal((UserBuckets.Of(ann), partition), (found.Bucket, found.Node));
        Assert.Equal(new[] { (ann, "a1"), (eve, "e1") }.Order(), Pairs(found.Members));

        partition.Tell(new RegistryProtocol.FindGroup("g", TestActor));
        var group = ExpectMsg<RegistryProtocol.GroupFound>();
        // The entity counts this as one of Plain.Partitions answers from this node.
        Assert.Equal(("g", partition, Plain.Partitions), (group.Group, group.Node, group.Answers));
        Assert.Equal(new[] { (ann, "a1"), (ben, "b1") }.Order(), Pairs(group.Members));

        partition.Tell(new RegistryProtocol.FindGroup("none", TestActor));
        Assert.Empty(ExpectMsg<RegistryProtocol.GroupFound>().Members);
    }

    [Fact]
    public async Task A_ping_round_sends_each_connection_one_ping()
    {
        var (partition, _) = Start();
        var sockets = new[] { Connect(partition, "c1", "ann").Socket, Connect(partition, "c2", "ben").Socket };

        partition.Tell(new PingProtocol.Round(0, 1));
        foreach (var socket in sockets)
        {
            var ping = await socket.ReceiveAsync();
            Assert.Equal(Opcode.Ping, ping.Opcode);
            Assert.Empty(ping.Payload);
        }
        await AssertNextIsMarker(partition, sockets);
        Assert.Equal(0, ConnectionCounters.Timeouts);
    }

    [Fact]
    public async Task The_rounds_of_every_slice_ping_each_connection_once()
    {
        var (partition, _) = Start();
        var sockets = Enumerable.Range(1, 8).Select(i => Connect(partition, $"c{i}", $"user{i}").Socket).ToArray();

        for (var slice = 0; slice < 4; slice++)
            partition.Tell(new PingProtocol.Round(slice, 4));
        foreach (var socket in sockets)
            Assert.Equal(Opcode.Ping, (await socket.ReceiveAsync()).Opcode);
        await AssertNextIsMarker(partition, sockets);
    }

    [Fact]
    public async Task A_ping_round_closes_a_connection_silent_past_the_timeout_with_4408()
    {
        // Below zero, any silence is too long: the test need not wait one out.
        var (partition, _) = Start(Plain with { PingTimeout = TimeSpan.FromMilliseconds(-1) });
        var (socket, _) = Connect(partition, "c1", "ann");

        partition.Tell(new PingProtocol.Round(0, 1));
        var close = await socket.ReceiveAsync();
        Assert.Equal((Opcode.Close, WebSocketConnection.TimeoutCloseCode), (close.Opcode, close.CloseCode));
        Assert.Equal(1, ConnectionCounters.Timeouts);
    }

    [Fact]
    public async Task A_connection_whose_token_has_run_out_is_warned_then_closed_with_4401()
    {
        var (partition, _) = Start(Plain with { TokenLeeway = TimeSpan.Zero });
        var (socket, _) = Connect(partition, "c1", "ann", tokenExpires: DateTimeOffset.UtcNow - TimeSpan.FromMinutes(1));

        // The partition's next sweep (once a second) finds both due.
        var warning = await socket.ReceiveJsonAsync();
        Assert.Equal("token_expiring", warning.GetProperty("type").GetString());
        Assert.Equal(0, warning.GetProperty("data").GetProperty("expires_in").GetInt64());
        var close = await socket.ReceiveAsync();
        Assert.Equal((Opcode.Close, TokenDeadlineQueue.ExpiredCloseCode), (close.Opcode, close.CloseCode));
    }

    [Fact]
    public async Task A_renewed_token_is_warned_of_at_its_own_deadline_and_not_the_one_it_replaced()
    {
        // The partition sweeps on its timer; what is due is the clock's to say, so the test moves it.
        var start = new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
        var clock = new ManualClock(start);
        var (partition, _) = Start(Plain with { TokenLeeway = TimeSpan.FromSeconds(5) }, clock: clock);
        var (socket, _) = Connect(partition, "c1", "ann", tokenExpires: start + TimeSpan.FromMinutes(10));
        var renewed = start + TimeSpan.FromHours(1);
        partition.Tell(new TokenRenewed("c1", renewed));
        Handled(partition);

        // Past the first token's close and at the renewed one's warning: had the first deadline stood, its warning
        // (with 0 s left) and its close would come first.
        clock.Set(renewed - TokenDeadlineQueue.Warning);
        var warning = await socket.ReceiveJsonAsync();
        Assert.Equal(("token_expiring", 30L), (warning.GetProperty("type").GetString(), warning.GetProperty("data").GetProperty("expires_in").GetInt64()));
        await AssertNextIsMarker(partition, socket);
    }

    [Fact]
    public void A_closed_connection_is_removed_from_its_users_entity_and_from_each_of_its_groups()
    {
        var (partition, queue) = Start();
        var (_, first) = Connect(partition, "c1", "ann", ["g1", "g2"]);
        var (_, second) = Connect(partition, "c2", "ann");
        Assert.Equal(["g1", "g2"], new[] { Groups.ExpectMsg<GroupProtocol.AddMember>(), Groups.ExpectMsg<GroupProtocol.AddMember>() }
            .Select(m => m.Group).Order());

        partition.Tell(new ConnectionClosed(first));
        var removed = new[] { Groups.ExpectMsg<GroupProtocol.RemoveMember>(), Groups.ExpectMsg<GroupProtocol.RemoveMember>() };
        Assert.Equal([new GroupProtocol.RemoveMember("g1", "c1", LeaveReason.Closed), new GroupProtocol.RemoveMember("g2", "c1", LeaveReason.Closed)], removed.OrderBy(r => r.Group));
        Assert.Equal(new UserProtocol.RemoveConnection("ann", "c1"), Users.ExpectMsg<UserProtocol.RemoveConnection>());
        // Ann still has c2 here.
        Assert.Equal((1, 1, 0), (Slots.Users, queue.Connections, Counters.LocalGroups));

        // Told twice (a kick and the close it caused): the second changes nothing, so the next removal is c2's.
        partition.Tell(new ConnectionClosed(first));
        partition.Tell(new ConnectionClosed(second));
        Assert.Equal(new UserProtocol.RemoveConnection("ann", "c2"), Users.ExpectMsg<UserProtocol.RemoveConnection>());
        Assert.Equal((0, 0), (Slots.Users, queue.Connections));
    }

    [Fact]
    public async Task Leaving_a_group_the_connection_is_not_in_is_refused_with_unknown_group_and_routing_is_not_told()
    {
        var (partition, _) = Start();
        var (socket, _) = Connect(partition, "c1", "ann");
        partition.Tell(new Join("c1", "g", ReadOnlyMemory<byte>.Empty));
        Groups.ExpectMsg<GroupProtocol.AddMember>();

        partition.Tell(new Leave("c1", "other", Id("l1")));
        var error = await socket.ReceiveJsonAsync();
        Assert.Equal(("error", "l1", "unknown_group"), (error.GetProperty("type").GetString(), error.GetProperty("id").GetString(),
            error.GetProperty("data").GetProperty("code").GetString()));
        Assert.Equal(1, ConnectionCounters.Errors["unknown_group"]);

        partition.Tell(new Leave("c1", "g", Id("l2")));
        Assert.Equal(new GroupProtocol.RemoveMember("g", "c1"), Groups.ExpectMsg<GroupProtocol.RemoveMember>());
        var ack = await socket.ReceiveJsonAsync();
        Assert.Equal(("ack", "l2"), (ack.GetProperty("type").GetString(), ack.GetProperty("id").GetString()));
        Assert.Equal(0, Counters.LocalGroups);
    }

    [Fact]
    public async Task A_join_past_the_maximum_is_refused_with_too_many_groups_and_routing_is_not_told()
    {
        var (partition, _) = Start(Plain with { MaxGroupsPerConnection = 1 });
        var (socket, _) = Connect(partition, "c1", "ann");
        partition.Tell(new Join("c1", "g1", ReadOnlyMemory<byte>.Empty));
        partition.Tell(new Join("c1", "g2", Id("j2")));
        Assert.Equal("g1", Groups.ExpectMsg<GroupProtocol.AddMember>().Group);

        var error = await socket.ReceiveJsonAsync();
        Assert.Equal(("j2", "too_many_groups"), (error.GetProperty("id").GetString(), error.GetProperty("data").GetProperty("code").GetString()));
        partition.Tell(new Leave("c1", "g1", ReadOnlyMemory<byte>.Empty));
        Assert.Equal(new GroupProtocol.RemoveMember("g1", "c1"), Groups.ExpectMsg<GroupProtocol.RemoveMember>());
        Assert.Equal(1, ConnectionCounters.Errors["too_many_groups"]);
    }

    /// <summary>A clock the test sets; the partition reads it at each sweep.</summary>
    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        private long _ticks = start.UtcTicks;

        public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

        public void Set(DateTimeOffset at) => Interlocked.Exchange(ref _ticks, at.UtcTicks);
    }
}

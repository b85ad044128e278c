using System.Text;
using Akka.Actor;
using Akka.Hosting;
using Akka.Streams;
using Akka.TestKit;
using Switchboard.Actors.Delivery;
using Switchboard.Actors.Delivery.State;
using Switchboard.Actors.Heartbeat;
using Switchboard.Actors.Hub;
using Switchboard.Actors.Routing;
using Switchboard.Streams;
using Switchboard.Streams.Framing;
using Switchboard.Streams.Hosting;
using Switchboard.Streams.Outbound;
using static Switchboard.Actors.Delivery.DeliveryProtocol;

namespace Switchboard.Actors.Tests;

/// <summary>
/// A connection partition with real connections over pipes and probes for the entities' regions: what routing is told
/// and what each connection receives. The relay is a probe too, so that nothing is resent behind the test's back.
/// </summary>
public sealed class ConnectionPartitionSpecs : Akka.Hosting.TestKit.TestKit
{
    private const string NewsJson = """{"type":"news"}""";
    private const string MarkerJson = """{"type":"marker"}""";

    /// <summary>History off and a ping timeout no test reaches: each test turns on what it is about.</summary>
    private static readonly PartitionOptions Plain = new(Partitions: 3, MaxGroupsPerConnection: 5, HistoryOn: false,
        PingTimeout: TimeSpan.FromHours(1), TokenLeeway: null);

    // Made per test: the outbox stamps the frames it takes.
    private readonly OutboundFrame _news = OutboundFrame.Text(Encoding.UTF8.GetBytes(NewsJson));
    private readonly RoutingCounters _counters = new();
    private readonly ConnectionCounters _connectionCounters = new();
    private readonly ConnectionSlots _slots = new();
    private TestProbe _users = null!;
    private TestProbe _groups = null!;
    private ConnectionHosts _hosts = null!;

    // A plain actor system: nothing the partition does here names the node (only its admin answers and history do).
    protected override void ConfigureAkka(AkkaConfigurationBuilder builder, IServiceProvider provider)
    {
    }

    // The probes need the actor system, which the hosting test kit starts after the constructor.
    private (IActorRef Partition, BroadcastQueue Queue) Start(PartitionOptions? options = null, int queueCapacity = 4,
        TimeProvider? clock = null)
    {
        (_users, _groups) = (CreateTestProbe(), CreateTestProbe());
        var ledger = new RelayLedger(RoutingRelayOptions.Default, _counters);
        ledger.Start(CreateTestProbe(), _users, _groups);
        _hosts = new ConnectionHosts(Sys.Materializer(), 2);
        var queue = new BroadcastQueue(queueCapacity);
        var services = new PartitionServices(_users, _groups, ledger, _counters, _connectionCounters, _slots, clock ?? TimeProvider.System);
        return (Sys.ActorOf(ConnectionPartition.PropsFor(options ?? Plain, services, queue)), queue);
    }

    /// <summary>Opens a connection in the partition and waits until its user's entity has been told of it.</summary>
    private (TestConnection Socket, LocalConnection Local) Connect(IActorRef partition, string id, string user,
        IReadOnlyList<string>? groups = null, DateTimeOffset? tokenExpires = null)
    {
        var socket = TestConnection.Open(_hosts, id, _connectionCounters);
        var local = new LocalConnection(socket.Connection, user, partition);
        partition.Tell(new ConnectionOpened(local, groups ?? [], TokenExpires: tokenExpires));
        Assert.Equal(new UserProtocol.AddConnection(user, id, partition), _users.ExpectMsg<UserProtocol.AddConnection>());
        return (socket, local);
    }

    /// <summary>Sends each connection a marker: what the test expected none of must not come before it.</summary>
    private static async Task AssertNextIsMarker(IActorRef partition, params TestConnection[] sockets)
    {
        partition.Tell(new DeliverToConnections(sockets.Select(s => s.Id).ToArray(), OutboundFrame.Text(Encoding.UTF8.GetBytes(MarkerJson))));
        foreach (var socket in sockets)
            Assert.Equal(MarkerJson, await socket.ReceiveTextAsync());
    }

    /// <summary>Returns once the partition has handled everything told it before: its counters are final for those messages.</summary>
    private void Handled(IActorRef partition)
    {
        partition.Tell(new RegistryProtocol.FindUsers(0, TestActor));
        ExpectMsg<RegistryProtocol.UsersFound>();
    }

    private static ReadOnlyMemory<byte> Id(string id) => Encoding.UTF8.GetBytes($"\"{id}\"");

    private static (string, string)[] Pairs(string[] flattened) => flattened.Chunk(2).Select(p => (p[0], p[1])).Order().ToArray();

    [Fact]
    public void An_opened_connection_is_told_to_its_users_entity_with_the_partition_as_its_node()
    {
        var (partition, queue) = Start();
        var socket = TestConnection.Open(_hosts, "c1", _connectionCounters);
        partition.Tell(new ConnectionOpened(new LocalConnection(socket.Connection, "ann", partition), []));

        var added = _users.ExpectMsg<UserProtocol.AddConnection>();
        Assert.Equal(("ann", "c1", partition, false), (added.UserId, added.ConnectionId, added.Node, added.OpensStream));
        // Told after the node's figures: a broadcast now counts this connection.
        Assert.Equal((1, 1), (_slots.Users, queue.Connections));
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
        var join = _groups.ExpectMsg<GroupProtocol.AddMember>();
        Assert.Equal(("g", "ann", "c1", partition), (join.Group, join.UserId, join.ConnectionId, join.Node));
        Assert.NotNull(join.Stamp); // relayed: the group entity's confirmation acks the join
        Assert.Equal("h", _groups.ExpectMsg<GroupProtocol.AddMember>().Group);
        Assert.Equal(2, _counters.LocalGroups);

        partition.Tell(new DeliverToGroup("g", _news));
        Assert.Equal(NewsJson, await ann.ReceiveTextAsync());
        await AssertNextIsMarker(partition, ann, ben, cat);
        Assert.Equal(1, _counters.DeliveredAs(DeliveryKind.Group));
    }

    [Fact]
    public async Task A_delivery_to_connections_reaches_the_named_ones_here_and_counts_them()
    {
        var (partition, _) = Start();
        var sockets = new[] { Connect(partition, "c1", "ann").Socket, Connect(partition, "c2", "ann").Socket, Connect(partition, "c3", "ben").Socket };

        partition.Tell(new DeliverToConnections(["c2", "gone"], _news)); // c-gone closed meanwhile: skipped, not counted
        Assert.Equal(NewsJson, await sockets[1].ReceiveTextAsync());
        Handled(partition);
        Assert.Equal(1, _counters.DeliveredAs(DeliveryKind.Direct));
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

        partition.Tell(new DeliverToConnections(["c1"], _news, stamp));
        partition.Tell(new DeliverToConnections(["c1"], _news, stamp with { Resent = true }));
        Assert.Equal(new RelayProtocol.Delivered(7, 3, 2), relay.ExpectMsg<RelayProtocol.Delivered>());
        Assert.Equal(partition, relay.LastSender);
        Assert.Equal(new RelayProtocol.Delivered(7, 3, 2), relay.ExpectMsg<RelayProtocol.Delivered>());

        Assert.Equal(NewsJson, await socket.ReceiveTextAsync());
        Handled(partition);
        Assert.Equal((1L, 1L), (_counters.RepeatsDropped, _counters.DeliveredAs(DeliveryKind.Direct)));
        await AssertNextIsMarker(partition, socket);
    }

    [Fact]
    public async Task A_broadcast_reaches_every_connection_here_and_frees_its_place_in_the_queue()
    {
        var (partition, queue) = Start(queueCapacity: 1);
        var sockets = new[] { Connect(partition, "c1", "ann").Socket, Connect(partition, "c2", "ben").Socket, Connect(partition, "c3", "cat").Socket };
        Assert.Equal(3, queue.Connections);

        Assert.True(queue.TryEnter()); // as the node's front actor does before it sends
        partition.Tell(new Broadcast(_news));
        foreach (var socket in sockets)
            Assert.Equal(NewsJson, await socket.ReceiveTextAsync());
        Handled(partition);

        Assert.Equal(3, _counters.DeliveredAs(DeliveryKind.Broadcast));
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

        partition.Tell(PingProtocol.Round.Instance);
        foreach (var socket in sockets)
        {
            var ping = await socket.ReceiveAsync();
            Assert.Equal(Opcode.Ping, ping.Opcode);
            Assert.Empty(ping.Payload);
        }
        await AssertNextIsMarker(partition, sockets);
        Assert.Equal(0, _connectionCounters.Timeouts);
    }

    [Fact]
    public async Task A_ping_round_closes_a_connection_silent_past_the_timeout_with_4408()
    {
        // Below zero, any silence is too long: the test need not wait one out.
        var (partition, _) = Start(Plain with { PingTimeout = TimeSpan.FromMilliseconds(-1) });
        var (socket, _) = Connect(partition, "c1", "ann");

        partition.Tell(PingProtocol.Round.Instance);
        var close = await socket.ReceiveAsync();
        Assert.Equal((Opcode.Close, WebSocketConnection.TimeoutCloseCode), (close.Opcode, close.CloseCode));
        Assert.Equal(1, _connectionCounters.Timeouts);
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
        Assert.Equal(["g1", "g2"], new[] { _groups.ExpectMsg<GroupProtocol.AddMember>(), _groups.ExpectMsg<GroupProtocol.AddMember>() }
            .Select(m => m.Group).Order());

        partition.Tell(new ConnectionClosed(first));
        var removed = new[] { _groups.ExpectMsg<GroupProtocol.RemoveMember>(), _groups.ExpectMsg<GroupProtocol.RemoveMember>() };
        Assert.Equal([new GroupProtocol.RemoveMember("g1", "c1"), new GroupProtocol.RemoveMember("g2", "c1")], removed.OrderBy(r => r.Group));
        Assert.Equal(new UserProtocol.RemoveConnection("ann", "c1"), _users.ExpectMsg<UserProtocol.RemoveConnection>());
        // Ann still has c2 here.
        Assert.Equal((1, 1, 0), (_slots.Users, queue.Connections, _counters.LocalGroups));

        // Told twice (a kick and the close it caused): the second changes nothing, so the next removal is c2's.
        partition.Tell(new ConnectionClosed(first));
        partition.Tell(new ConnectionClosed(second));
        Assert.Equal(new UserProtocol.RemoveConnection("ann", "c2"), _users.ExpectMsg<UserProtocol.RemoveConnection>());
        Assert.Equal((0, 0), (_slots.Users, queue.Connections));
    }

    [Fact]
    public async Task Leaving_a_group_the_connection_is_not_in_is_refused_with_unknown_group_and_routing_is_not_told()
    {
        var (partition, _) = Start();
        var (socket, _) = Connect(partition, "c1", "ann");
        partition.Tell(new Join("c1", "g", ReadOnlyMemory<byte>.Empty));
        _groups.ExpectMsg<GroupProtocol.AddMember>();

        partition.Tell(new Leave("c1", "other", Id("l1")));
        var error = await socket.ReceiveJsonAsync();
        Assert.Equal(("error", "l1", "unknown_group"), (error.GetProperty("type").GetString(), error.GetProperty("id").GetString(),
            error.GetProperty("data").GetProperty("code").GetString()));
        Assert.Equal(1, _connectionCounters.Errors["unknown_group"]);

        partition.Tell(new Leave("c1", "g", Id("l2")));
        Assert.Equal(new GroupProtocol.RemoveMember("g", "c1"), _groups.ExpectMsg<GroupProtocol.RemoveMember>());
        var ack = await socket.ReceiveJsonAsync();
        Assert.Equal(("ack", "l2"), (ack.GetProperty("type").GetString(), ack.GetProperty("id").GetString()));
        Assert.Equal(0, _counters.LocalGroups);
    }

    [Fact]
    public async Task A_join_past_the_maximum_is_refused_with_too_many_groups_and_routing_is_not_told()
    {
        var (partition, _) = Start(Plain with { MaxGroupsPerConnection = 1 });
        var (socket, _) = Connect(partition, "c1", "ann");
        partition.Tell(new Join("c1", "g1", ReadOnlyMemory<byte>.Empty));
        partition.Tell(new Join("c1", "g2", Id("j2")));
        Assert.Equal("g1", _groups.ExpectMsg<GroupProtocol.AddMember>().Group);

        var error = await socket.ReceiveJsonAsync();
        Assert.Equal(("j2", "too_many_groups"), (error.GetProperty("id").GetString(), error.GetProperty("data").GetProperty("code").GetString()));
        partition.Tell(new Leave("c1", "g1", ReadOnlyMemory<byte>.Empty));
        Assert.Equal(new GroupProtocol.RemoveMember("g1", "c1"), _groups.ExpectMsg<GroupProtocol.RemoveMember>());
        Assert.Equal(1, _connectionCounters.Errors["too_many_groups"]);
    }

    /// <summary>A clock the test sets; the partition reads it at each sweep.</summary>
    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        private long _ticks = start.UtcTicks;

        public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

        public void Set(DateTimeOffset at) => Interlocked.Exchange(ref _ticks, at.UtcTicks);
    }
}

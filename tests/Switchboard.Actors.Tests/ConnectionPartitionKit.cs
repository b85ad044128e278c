using System.Text;
using Akka.Actor;
using Akka.Streams;
using Akka.TestKit;
using Switchboard.Actors.Delivery;
using Switchboard.Actors.Hub;
using Switchboard.Actors.Routing;
using Switchboard.Streams;
using Switchboard.Streams.Hosting;
using Switchboard.Streams.Outbound;
using static Switchboard.Actors.Delivery.DeliveryProtocol;

namespace Switchboard.Actors.Tests;

/// <summary>
/// What the specs of a connection partition share: the partition with real connections over pipes, probes for the
/// entities' regions, and the relay a probe too, so that nothing is resent behind the test's back. Each spec class
/// chooses its actor system.
/// </summary>
public abstract class ConnectionPartitionKit : Akka.Hosting.TestKit.TestKit
{
    protected const string NewsJson = """{"type":"news"}""";
    protected const string MarkerJson = """{"type":"marker"}""";

    /// <summary>History off and a ping timeout no test reaches: each test turns on what it is about.</summary>
    protected static readonly PartitionOptions Plain = new(Partitions: 3, MaxGroupsPerConnection: 5, HistoryOn: false,
        PingTimeout: TimeSpan.FromHours(1), TokenLeeway: null);

    protected ConnectionPartitionKit()
    {
    }

    // Made per test: the outbox stamps the frames it takes.
    protected OutboundFrame News { get; } = OutboundFrame.Text(Encoding.UTF8.GetBytes(NewsJson));
    protected RoutingCounters Counters { get; } = new();
    protected ConnectionCounters ConnectionCounters { get; } = new();
    protected ConnectionSlots Slots { get; } = new();
    protected TestProbe Users { get; private set; } = null!;
    protected TestProbe Groups { get; private set; } = null!;
    protected ConnectionHosts Hosts { get; private set; } = null!;
    protected RelayLedger Ledger { get; private set; } = null!;

    // The probes need the actor system, which the hosting test kit starts after the constructor.
    protected (IActorRef Partition, BroadcastQueue Queue) Start(PartitionOptions? options = null, int queueCapacity = 4,
        TimeProvider? clock = null)
    {
        (Users, Groups) = (CreateTestProbe(), CreateTestProbe());
        var ledger = Ledger = new RelayLedger(RoutingRelayOptions.Default, Counters);
        ledger.Start(CreateTestProbe(), Users, Groups);
        Hosts = new ConnectionHosts(Sys.Materializer(), 2);
        var queue = new BroadcastQueue(queueCapacity);
        var services = new PartitionServices(Users, Groups, ledger, Counters, ConnectionCounters, Slots, clock ?? TimeProvider.System);
        return (Sys.ActorOf(ConnectionPartition.PropsFor(options ?? Plain, services, queue)), queue);
    }

    /// <summary>Opens a connection in the partition and waits until its user's entity has been told of it.</summary>
    private protected (TestConnection Socket, LocalConnection Local) Connect(IActorRef partition, string id, string user,
        IReadOnlyList<string>? groups = null, DateTimeOffset? tokenExpires = null)
    {
        var socket = TestConnection.Open(Hosts, id, ConnectionCounters);
        var local = new LocalConnection(socket.Connection, user, partition);
        partition.Tell(new ConnectionOpened(local, groups ?? [], TokenExpires: tokenExpires));
        Assert.Equal(new UserProtocol.AddConnection(user, id, partition), Users.ExpectMsg<UserProtocol.AddConnection>());
        return (socket, local);
    }

    /// <summary>Sends each connection a marker: what the test expected none of must not come before it.</summary>
    private protected static async Task AssertNextIsMarker(IActorRef partition, params TestConnection[] sockets)
    {
        partition.Tell(new DeliverToConnections(sockets.Select(s => s.Id).ToArray(), OutboundFrame.Text(Encoding.UTF8.GetBytes(MarkerJson))));
        foreach (var socket in sockets)
            Assert.Equal(MarkerJson, await socket.ReceiveTextAsync());
    }

    /// <summary>Returns once the partition has handled everything told it before: its counters are final for those messages.</summary>
    protected void Handled(IActorRef partition)
    {
        partition.Tell(new RegistryProtocol.FindUsers(0, TestActor));
        ExpectMsg<RegistryProtocol.UsersFound>();
    }

    /// <summary>A frame id as the client wrote it: raw JSON, here a string.</summary>
    protected static ReadOnlyMemory<byte> Id(string id) => Encoding.UTF8.GetBytes($"\"{id}\"");

    protected static (string, string)[] Pairs(string[] flattened) => flattened.Chunk(2).Select(p => (p[0], p[1])).Order().ToArray();
}

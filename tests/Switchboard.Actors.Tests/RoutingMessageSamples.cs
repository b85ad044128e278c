using Akka.Actor;
using Switchboard.Actors.History;
using Switchboard.Actors.Namespaces;
using Switchboard.Actors.Routing;
using Switchboard.Actors.Serialization;
using Switchboard.Actors.Stats;
using Switchboard.Streams.Json;
using Switchboard.Streams.Outbound;
using static Switchboard.Actors.Admin.AdminProtocol;
using static Switchboard.Actors.Delivery.DeliveryProtocol;
using static Switchboard.Actors.Routing.GroupProtocol;
using static Switchboard.Actors.Routing.UserProtocol;

namespace Switchboard.Actors.Tests;

/// <summary>
/// One message of every routing type, each field that travels set to a value other than its default, so that a field a
/// codec forgot to write or read shows as a difference. Frames carry an accept time or a seq only where the wire does.
/// </summary>
internal static class RoutingMessageSamples
{
    public static IRoutingMessage[] All(IActorRef node)
    {
        var position = new StreamPosition("ep0001", 7);
        var stamp = new RelayStamp(node, 1234567890123, Resent: true, Route: 987654321987, Nodes: 2);
        ReadOnlyMemory<byte> id = "\"m-1\""u8.ToArray();
        return
        [
            new AddConnection("alice", "c-1", node, OpensStream: true, Resume: position),
            new RemoveConnection("alice", "c-1"),
            new SendToUser("bob", Frame("""{"type":"chat","to":"bob"}""", acceptedAt: 638_999_999_999_999_999), stamp,
                Sender: "alice", MessageId: id, WantsReceipt: true),
            new GetConnections("alice"),
            new Connections("alice", 3, 2, position, DeliveredSeq: 5),
            new Notify("alice", Frame("""{"type":"receipt","id":"m-1"}""")),
            new Received("alice", 17),
            new GetHistory("alice", 3),
            new HistoryPage("alice", position, [Frame("""{"seq":6}"""), Frame("""{"seq":7}""")]),
            new UserStreamOpened("c-1", position, [Frame("""{"seq":7}""")], Recovered: true),
            new ReserveConnection("alice", "c-1", 3),
            new Reservation("c-1", Granted: true),
            new AddMember("room", "alice", "c-1", node, stamp, OpensStream: true, Resume: position),
            new RemoveMember("room", "c-1"),
            new SendToGroup("room", Frame("""{"type":"chat","group":"room"}""", acceptedAt: 638_000_000_000_000_001), stamp,
                Sender: "alice", MessageId: id),
            new GetMembers("room"),
            new JoinRefused("room", "c-1", new FrameError("group_full", "full")),
            new ReloadNamespaces("chat:room"),
            new Wake("chat:room"),
            new GetPresence("room", Stats: false, Cursor: "alice", ConnectionId: "c-1", id, node),
            new PresenceAnswer("room", Stats: true, "c-1", id, """{"users":1,"connections":2}"""u8.ToArray(), null),
            new Members("room", [new Member("alice", 2), new Member("bob", 1)], 3, position),
            new GetGroupHistory("room", 4),
            new GroupHistoryPage("room", position, [Frame("""{"seq":5}""")]),
            new GroupStreamOpened("room", "c-1", position, [Frame("""{"seq":6}"""), Frame("""{"seq":7}""")], Recovered: false),
            // A delivery's stamp takes the frame's seq as its stream seq on the way in.
            new DeliverToConnections(["c-1", "c-2"], Frame("""{"seq":42}""", acceptedAt: 638_000_000_000_000_002, seq: 42),
                stamp with { StreamSeq = 42 }),
            new RevokeLease("alice"),
            new LeaseRevoked("alice"),
            new DeliverToGroup("room", Frame("""{"seq":43}""", acceptedAt: 638_000_000_000_000_003, seq: 43),
                stamp with { StreamSeq = 43 }),
            new Broadcast(Frame("""{"type":"news"}""", acceptedAt: 638_000_000_000_000_004)),
            new Accepted("c-1", id, Seq: 9),
            new Rejected("c-1", id, new FrameError("unknown_group", "no such group")),
            new RelayProtocol.Routed(42, new FrameError("history_off", "off"), StreamSeq: 5),
            new RelayProtocol.Delivered(44, 987654321987, 3, StreamSeq: 6),
            new RegistryProtocol.FindUsers(17, node),
            new RegistryProtocol.UsersFound(17, ["alice", "c-1", "bob", "c-2"], node),
            new RegistryProtocol.FindGroup("room", node),
            new RegistryProtocol.GroupFound("room", ["alice", "c-1"], node),
            GetNodeStats.Instance,
            new NodeStatsSnapshot("n1:4053", 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18,
                new SortedDictionary<string, long> { ["close_1002"] = 20, ["invalid_json"] = 19 }, 21, CpuTimeMs: 22,
                MemoryBytes: 23),
            new ListConnections("alice", "c-9", 100),
            new ConnectionList("n1:4053", [
                new ConnectionEntry("c-1", "alice", "127.0.0.1", 1234567890123, ["room", "lobby"], 5, 6, 7),
                new ConnectionEntry("c-2", "bob", "::1", 1, ["room"], 8, long.MaxValue, 9),
            ], More: true),
            new ListGroups("lobby", 10),
            new GroupList("n1:4053", ["lobby", "room"], More: true),
            new ListLargestGroups(10),
            new LargestGroups("n1:4053", ["room", "lobby"]),
            new Kick("alice", "c-1", "kicked: spam", "ops"),
            new Kicked("n1:4053", 3),
            new DrainNode("ops"),
            new DrainStarted("n1:4053", true),
            new RateLimitUpdate("""{"Rate":"10-S"}""", "n1:4053", "ops"),
            new RateLimitApplied("n2:4053", true),
            GetNamespaces.Instance,
            new NamespacesLoaded("n1:4053", new NamespaceTable(
                new NamespaceRules(HistorySize: 0, ClientPublish: ClientPublish.None),
                new Dictionary<string, NamespaceRules>
                {
                    ["chat"] = new(HistorySize: 100, HistoryTtl: TimeSpan.FromSeconds(90), Presence: true, PresenceEvents: true,
                        ClientPublish: ClientPublish.Members, JoinHook: true, PublishHook: true, MaxMembers: 500),
                    ["feed"] = new(HistoryTtl: TimeSpan.FromMilliseconds(1500)),
                }, strict: true)),
            GetHooks.Instance,
            new HooksLoaded("n1:4053",
            [
                new HookState("connect", null, new HookCallCounts(0, 0, 0, 0, 0), [1, 2], [0, 0, 0], 0),
                new HookState("rpc", "backend:8080", new HookCallCounts(1, 2, 3, 4, 5), [1, 2.5], [6, 7, long.MaxValue], 1.25),
            ]),
        ];
    }

    private static OutboundFrame Frame(string json, long acceptedAt = 0, long seq = 0)
    {
        var frame = OutboundFrame.Text(System.Text.Encoding.UTF8.GetBytes(json));
        frame.AcceptedAt = acceptedAt;
        frame.Seq = seq;
        return frame;
    }
}

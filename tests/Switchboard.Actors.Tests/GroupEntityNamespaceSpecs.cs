using System.Text.Json;
using Akka.Actor;
using Akka.Hosting;
using Akka.TestKit;
using Switchboard.Actors.Delivery;
using Switchboard.Actors.History;
using Switchboard.Actors.Namespaces;
using Switchboard.Actors.Routing;
using Switchboard.Streams.Outbound;
using static Switchboard.Actors.Routing.GroupProtocol;

namespace Switchboard.Actors.Tests;

/// <summary>A group entity under its namespace's rules: presence, its events, ClientPublish and MaxMembers, and a reload.</summary>
public sealed class GroupEntityNamespaceSpecs : Akka.Hosting.TestKit.TestKit
{
    private static readonly OutboundFrame Frame = OutboundFrame.Text("""{"type":"chat"}"""u8);

    private readonly NamespaceBook _book = new(new NamespaceTable(NamespaceRules.Defaults, new Dictionary<string, NamespaceRules>
    {
        ["room"] = new(Presence: true, PresenceEvents: true, MaxMembers: 2),
        ["quiet"] = new(Presence: true),
        ["feed"] = new(ClientPublish: ClientPublish.None),
        ["club"] = new(ClientPublish: ClientPublish.Members),
    }, strict: false));

    // A plain actor system: with no cluster to recover from, the entities start at once.
    protected override void ConfigureAkka(AkkaConfigurationBuilder builder, IServiceProvider provider)
    {
    }

    private IActorRef Start(string group, PresenceOptions? presence = null) =>
        CreateTestProbe().ChildActorOf(GroupEntity.PropsFor(group, new RoutingCounters(), new HistoryOptions(0, HistoryOptions.DefaultTtl),
            new HistoryBudget(HistoryBudget.DefaultMaxBytes), null, _book, presence));

    private static JsonElement Json(OutboundFrame frame) => JsonDocument.Parse(frame.Payload.ToArray()).RootElement;

    private static JsonElement Json(byte[] data) => JsonDocument.Parse(data).RootElement;

    [Fact]
    public void Members_hear_each_join_and_leave_with_first_last_and_reason()
    {
        var entity = Start("room:a");
        var node = CreateTestProbe();
        entity.Tell(new AddMember("room:a", "ann", "c1", node, Info: """{"n":1}"""u8.ToArray()));
        var join = Json(node.ExpectMsg<DeliveryProtocol.DeliverToGroup>().Frame);
        Assert.Equal(("presence_join", "ann", "c1", true, 1), (join.GetProperty("type").GetString(),
            join.GetProperty("data").GetProperty("user_id").GetString(), join.GetProperty("data").GetProperty("connection_id").GetString(),
            join.GetProperty("data").GetProperty("first").GetBoolean(), join.GetProperty("data").GetProperty("info").GetProperty("n").GetInt32()));
        Assert.False(join.TryGetProperty("from", out _));
        Assert.False(join.TryGetProperty("seq", out _));

        entity.Tell(new AddMember("room:a", "ann", "c2", node));
        Assert.False(Json(node.ExpectMsg<DeliveryProtocol.DeliverToGroup>().Frame).GetProperty("data").GetProperty("first").GetBoolean());

        entity.Tell(new RemoveMember("room:a", "c1", LeaveReason.Closed));
        var leave = Json(node.ExpectMsg<DeliveryProtocol.DeliverToGroup>().Frame).GetProperty("data");
        Assert.Equal((false, "closed"), (leave.GetProperty("last").GetBoolean(), leave.GetProperty("reason").GetString()));
    }

    [Fact]
    public void A_lost_node_takes_its_members_out_with_node_lost_events()
    {
        var entity = Start("room:b");
        var (survivor, doomed) = (CreateTestProbe(), CreateTestProbe());
        entity.Tell(new AddMember("room:b", "ann", "c1", survivor));
        survivor.ExpectMsg<DeliveryProtocol.DeliverToGroup>();
        entity.Tell(new AddMember("room:b", "ben", "c2", doomed));
        survivor.ExpectMsg<DeliveryProtocol.DeliverToGroup>();
        Watch(doomed.Ref);
        doomed.Ref.Tell(PoisonPill.Instance);
        ExpectTerminated(doomed.Ref);

        var leave = Json(survivor.ExpectMsg<DeliveryProtocol.DeliverToGroup>().Frame);
        Assert.Equal(("presence_leave", "ben", true, "node_lost"), (leave.GetProperty("type").GetString(),
            leave.GetProperty("data").GetProperty("user_id").GetString(), leave.GetProperty("data").GetProperty("last").GetBoolean(),
            leave.GetProperty("data").GetProperty("reason").GetString()));
        entity.Tell(new GetPresence("room:b", Stats: false, null, "c1", "1"u8.ToArray(), TestActor));
        var users = Json(ExpectMsg<PresenceAnswer>().Data!).GetProperty("users");
        Assert.Equal(["ann"], users.EnumerateObject().Select(u => u.Name));
    }

    [Fact]
    public void Presence_is_answered_to_members_refused_to_others_and_off_outside_presence_namespaces()
    {
        var entity = Start("quiet:a");
        var node = CreateTestProbe();
        entity.Tell(new AddMember("quiet:a", "ann", "c1", node));
        entity.Tell(new GetPresence("quiet:a", Stats: true, null, "c1", "1"u8.ToArray(), TestActor));
        var stats = ExpectMsg<PresenceAnswer>();
        Assert.Equal((1, 1), (Json(stats.Data!).GetProperty("users").GetInt32(), Json(stats.Data!).GetProperty("connections").GetInt32()));
        entity.Tell(new GetPresence("quiet:a", Stats: false, null, "stranger", "2"u8.ToArray(), TestActor));
        Assert.Equal("forbidden", ExpectMsg<PresenceAnswer>().Error?.Code);
        // The HTTP API names no connection.
        entity.Tell(new GetPresence("quiet:a", Stats: false, null, null, default, TestActor));
        Assert.NotNull(ExpectMsg<PresenceAnswer>().Data);
        // Presence without events: the join made none.
        entity.Tell(new SendToGroup("quiet:a", Frame));
        Assert.Same(Frame, node.ExpectMsg<DeliveryProtocol.DeliverToGroup>().Frame);

        var plain = Start("lobby");
        plain.Tell(new AddMember("lobby", "ann", "c1", node));
        plain.Tell(new GetPresence("lobby", Stats: false, null, "c1", "3"u8.ToArray(), TestActor));
        Assert.Equal("presence_off", ExpectMsg<PresenceAnswer>().Error?.Code);
    }

    [Fact]
    public void A_join_past_MaxMembers_is_refused_with_group_full_and_members_stay()
    {
        var entity = Start("room:c");
        var (node, relay) = (CreateTestProbe(), CreateTestProbe());
        entity.Tell(new AddMember("room:c", "ann", "c1", node));
        entity.Tell(new AddMember("room:c", "ben", "c2", node));
        node.ReceiveN(2);
        entity.Tell(new AddMember("room:c", "cat", "c3", node, new RelayStamp(relay, 9, Resent: false)));
        Assert.Equal(new JoinRefused("room:c", "c3", new Streams.Json.FrameError("group_full", "the group has its most members (2)")),
            node.ExpectMsg<JoinRefused>());
        Assert.Equal("group_full", relay.ExpectMsg<RelayProtocol.Routed>().Refusal?.Code);
        // A member joining again is no new member.
        entity.Tell(new AddMember("room:c", "ann", "c1", node, new RelayStamp(relay, 10, Resent: false)));
        Assert.Null(relay.ExpectMsg<RelayProtocol.Routed>().Refusal);
    }

    [Fact]
    public void ClientPublish_none_refuses_every_socket_and_takes_the_api()
    {
        var entity = Start("feed:a");
        var (node, relay) = (CreateTestProbe(), CreateTestProbe());
        entity.Tell(new AddMember("feed:a", "ann", "c1", node));
        entity.Tell(new SendToGroup("feed:a", Frame, new RelayStamp(relay, 1, Resent: false), "ann", ConnectionId: "c1"));
        Assert.Equal("forbidden", relay.ExpectMsg<RelayProtocol.Routed>().Refusal?.Code);
        entity.Tell(new SendToGroup("feed:a", Frame));
        Assert.Same(Frame, node.ExpectMsg<DeliveryProtocol.DeliverToGroup>().Frame);
    }

    [Fact]
    public void ClientPublish_members_takes_members_only()
    {
        var entity = Start("club:a");
        var (node, relay) = (CreateTestProbe(), CreateTestProbe());
        entity.Tell(new AddMember("club:a", "ann", "c1", node));
        entity.Tell(new SendToGroup("club:a", Frame, new RelayStamp(relay, 1, Resent: false), "bob", ConnectionId: "c9"));
        Assert.Equal("forbidden", relay.ExpectMsg<RelayProtocol.Routed>().Refusal?.Code);
        entity.Tell(new SendToGroup("club:a", Frame, null, "ann", ConnectionId: "c1"));
        Assert.Same(Frame, node.ExpectMsg<DeliveryProtocol.DeliverToGroup>().Frame);
    }

    [Fact]
    public void A_reload_changes_the_rules_of_a_live_group_and_its_members_stay()
    {
        var entity = Start("feed:b");
        var (node, relay) = (CreateTestProbe(), CreateTestProbe());
        entity.Tell(new AddMember("feed:b", "ann", "c1", node));
        _book.Replace(new NamespaceTable(NamespaceRules.Defaults, new Dictionary<string, NamespaceRules>(), strict: false), system: null);
        entity.Tell(new ReloadNamespaces("feed:b"));
        entity.Tell(new SendToGroup("feed:b", Frame, new RelayStamp(relay, 1, Resent: false), "ann", ConnectionId: "c1"));
        Assert.Same(Frame, node.ExpectMsg<DeliveryProtocol.DeliverToGroup>().Frame);
    }

    [Fact]
    public void A_reloading_tab_within_LeaveDelay_makes_no_event_and_a_user_gone_for_longer_leaves()
    {
        var entity = Start("room:d", new PresenceOptions(LeaveDelay: TimeSpan.FromSeconds(1)));
        var node = CreateTestProbe();
        entity.Tell(new AddMember("room:d", "ann", "c1", node));
        entity.Tell(new AddMember("room:d", "ben", "c2", node));
        node.ReceiveN(2);
        entity.Tell(new RemoveMember("room:d", "c1", LeaveReason.Closed));
        entity.Tell(new AddMember("room:d", "ann", "c3", node)); // the reloaded tab
        entity.Tell(new RemoveMember("room:d", "c2", LeaveReason.Left));
        // Ben's leave after the delay is the next event: Ann's leave and return made none.
        var leave = Json(node.ExpectMsg<DeliveryProtocol.DeliverToGroup>(TimeSpan.FromSeconds(5)).Frame).GetProperty("data");
        Assert.Equal(("ben", true, "left"), (leave.GetProperty("user_id").GetString(), leave.GetProperty("last").GetBoolean(),
            leave.GetProperty("reason").GetString()));
    }

    [Fact]
    public void Events_past_the_groups_rate_are_coalesced_into_one_stats_frame_with_resync()
    {
        var entity = Start("room:e", new PresenceOptions(EventDeliveriesPerSecond: 1));
        var node = CreateTestProbe();
        entity.Tell(new AddMember("room:e", "ann", "c1", node)); // costs 1: fits
        node.ExpectMsg<DeliveryProtocol.DeliverToGroup>();
        entity.Tell(new AddMember("room:e", "ben", "c2", node)); // costs 2: coalesced
        var stats = Json(node.ExpectMsg<DeliveryProtocol.DeliverToGroup>(TimeSpan.FromSeconds(5)).Frame);
        Assert.Equal("presence_stats", stats.GetProperty("type").GetString());
        var data = stats.GetProperty("data");
        Assert.Equal((1, 2, true, true), (data.GetProperty("users").GetInt32() - 1, data.GetProperty("connections").GetInt32(),
            data.GetProperty("coalesced").GetBoolean(), data.GetProperty("resync").GetBoolean()));
    }
}

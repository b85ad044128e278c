using Akka.Actor;
using Switchboard.Actors.Delivery.State;
using Switchboard.Actors.Hub;
using Switchboard.Actors.Routing;
using static Switchboard.Actors.Admin.AdminProtocol;

namespace Switchboard.Actors.Tests;

/// <summary>
/// One partition's record of its connections on its own, without an actor: the partition tells routing what these answers
/// say (a user's first or last connection here, a group's first or last member here), so each must be exact.
/// </summary>
public sealed class PartitionConnectionsTests
{
    private readonly IActorRef _partition = new TestNode("connections-0");
    private readonly PartitionConnections _here = new();

    private LocalConnection Local(string id, string user, string? remote = null) =>
        new(TestConnection.Detached(id), user, _partition) { RemoteAddress = remote };

    private LocalConnection Added(string id, string user)
    {
        var local = Local(id, user);
        _here.Add(local);
        return local;
    }

    private static (string User, string Connection)[] Pairs(string[] flattened) =>
        flattened.Chunk(2).Select(p => (p[0], p[1])).Order().ToArray();

    [Fact]
    public void Adding_and_removing_say_which_connection_was_its_users_first_and_last_here()
    {
        var (a1, a2, b1) = (Local("a1", "ann"), Local("a2", "ann"), Local("b1", "ben"));
        Assert.True(_here.Add(a1));
        Assert.False(_here.Add(a2));
        Assert.True(_here.Add(b1));
        Assert.Equal(3, _here.Count);
        Assert.Same(a2, _here.Find("a2"));

        Assert.Equal((true, false), Removed(a1));
        Assert.Equal((true, true), Removed(a2));
        // Removed twice (a close racing a kick): the second says it was not here, so nothing is told twice.
        Assert.Equal((false, false), Removed(a2));
        Assert.Null(_here.Find("a2"));
        Assert.Equal([b1], _here.All);

        // Ann is gone from this partition: her next connection is her first again.
        Assert.True(_here.Add(Local("a3", "ann")));
    }

    private (bool Removed, bool LastOfUser) Removed(LocalConnection local)
    {
        var (removed, last, _) = _here.Remove(local);
        return (removed, last);
    }

    [Fact]
    public void A_join_says_whether_the_group_is_new_here_and_one_past_the_maximum_is_refused()
    {
        var (a, b) = (Added("a1", "ann"), Added("b1", "ben"));
        Assert.Equal(PartitionJoin.FirstHere, _here.Join(a, "g1", 2));
        Assert.Equal(PartitionJoin.Joined, _here.Join(b, "g1", 2));
        Assert.Equal(PartitionJoin.FirstHere, _here.Join(a, "g2", 2));

        Assert.Equal(PartitionJoin.TooManyGroups, _here.Join(a, "g3", 2));
        Assert.Null(_here.MembersOf("g3")); // a refused join leaves no trace
        // At the maximum, a group it is in already may be joined again: it takes no new place.
        Assert.Equal(PartitionJoin.Joined, _here.Join(a, "g1", 2));
        Assert.Equal(PartitionJoin.Joined, _here.Join(a, "g2", 2));

        Assert.Equal([a.Connection, b.Connection], _here.MembersOf("g1")!.OrderBy(c => c.Id));
        Assert.Equal([("g1", 2), ("g2", 1)], _here.GroupSizes().Order());
        // Another connection is not held to a's count.
        Assert.Equal(PartitionJoin.FirstHere, _here.Join(b, "g3", 2));
    }

    [Fact]
    public void A_leave_says_null_for_a_non_member_and_true_for_the_groups_last_member_here()
    {
        var (a, b, c) = (Added("a1", "ann"), Added("b1", "ben"), Added("c1", "cat"));
        _here.Join(a, "g", 5);
        _here.Join(b, "g", 5);

        Assert.Null(_here.Leave(a, "other"));
        Assert.Null(_here.Leave(c, "g")); // c never joined anything
        Assert.False(_here.Leave(a, "g"));
        Assert.Null(_here.Leave(a, "g")); // left already
        Assert.True(_here.Leave(b, "g"));
        Assert.Null(_here.MembersOf("g"));
        Assert.Empty(_here.GroupSizes());
    }

    [Fact]
    public void A_removed_connection_gives_back_its_groups_and_leaves_them()
    {
        var (a, b) = (Added("a1", "ann"), Added("b1", "ben"));
        _here.Join(a, "g1", 5);
        _here.Join(a, "g2", 5);
        _here.Join(b, "g1", 5);

        var (removed, _, groups) = _here.Remove(a);
        Assert.True(removed);
        Assert.Equal(["g1", "g2"], groups.Order());
        Assert.Equal([b.Connection], _here.MembersOf("g1")!);
        Assert.Null(_here.MembersOf("g2"));
        Assert.Equal([("g1", 1)], _here.GroupSizes());
        Assert.Equal(["g1"], _here.Remove(b).Groups);
        Assert.Empty(_here.GroupSizes());
    }

    [Fact]
    public void A_bucket_answers_with_its_users_here_and_each_of_their_connections()
    {
        var users = TestUsers.OfOneBucket(2);
        var (ann, eve) = (users[0], users[1]);
        var other = TestUsers.OfAnotherBucket(ann);
        var (a1, a2, e1) = (Added("a1", ann), Added("a2", ann), Added("e1", eve));
        Added("o1", other);

        var bucket = UserBuckets.Of(ann);
        Assert.Equal([(ann, "a1"), (ann, "a2"), (eve, "e1")], Pairs(_here.UsersOf(bucket)));
        Assert.Equal([(other, "o1")], Pairs(_here.UsersOf(UserBuckets.Of(other))));

        _here.Remove(a1);
        _here.Remove(e1);
        Assert.Equal([(ann, "a2")], Pairs(_here.UsersOf(bucket)));
        _here.Remove(a2);
        Assert.Empty(_here.UsersOf(bucket));
    }

    [Fact]
    public void A_group_answers_with_its_members_here_as_user_and_connection_pairs()
    {
        var (a1, a2, b1) = (Added("a1", "ann"), Added("a2", "ann"), Added("b1", "ben"));
        _here.Join(a1, "g", 5);
        _here.Join(a2, "g", 5);
        _here.Join(b1, "h", 5);

        Assert.Equal([("ann", "a1"), ("ann", "a2")], Pairs(_here.MembersFlattened("g")));
        Assert.Equal([("ben", "b1")], Pairs(_here.MembersFlattened("h")));
        Assert.Empty(_here.MembersFlattened("none"));
    }

    [Fact]
    public void A_kick_names_one_connection_by_id_of_the_named_user_only_or_every_connection_of_a_user()
    {
        var (a1, a2, _) = (Added("a1", "ann"), Added("a2", "ann"), Added("b1", "ben"));

        Assert.Equal([a1], _here.KickTargets(null, "a1"));
        Assert.Equal([a1], _here.KickTargets("ann", "a1"));
        Assert.Empty(_here.KickTargets("ben", "a1")); // the id is ann's: ben's kick must not close it
        Assert.Empty(_here.KickTargets(null, "gone"));
        Assert.Equal([a1, a2], _here.KickTargets("ann", null).OrderBy(l => l.Id));
        Assert.Empty(_here.KickTargets("nobody", null));
        Assert.Empty(_here.KickTargets(null, null));
    }

    [Fact]
    public void The_listing_pages_by_id_after_the_last_one_seen_and_says_when_there_is_more()
    {
        foreach (var i in new[] { 4, 1, 5, 3, 2 })
            Added($"c{i}", i % 2 == 0 ? "ann" : "ben");

        var first = _here.Listing(new ListConnections(null, null, 2), "n1:1");
        Assert.Equal(("c1 c2", true, "n1:1"), (Ids(first), first.More, first.Node));
        var second = _here.Listing(new ListConnections(null, "c2", 2), "n1:1");
        Assert.Equal(("c3 c4", true), (Ids(second), second.More));
        // Exactly as many as the limit left: no more.
        var last = _here.Listing(new ListConnections(null, "c3", 2), "n1:1");
        Assert.Equal(("c4 c5", false), (Ids(last), last.More));
        Assert.Empty(_here.Listing(new ListConnections(null, "c5", 2), "n1:1").Connections);

        var anns = _here.Listing(new ListConnections("ann", null, 10), "n1:1");
        Assert.Equal(("c2 c4", false), (Ids(anns), anns.More));
        Assert.Empty(_here.Listing(new ListConnections("nobody", null, 10), "n1:1").Connections);
    }

    [Fact]
    public void A_listed_connection_shows_its_user_address_time_and_groups_in_order()
    {
        var local = Local("c1", "ann", "10.0.0.7") with { ConnectedAt = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000) };
        _here.Add(local);
        _here.Join(local, "zeta", 5);
        _here.Join(local, "alpha", 5);
        Added("c2", "ben");

        var entries = _here.Listing(new ListConnections(null, null, 10), "n1:1").Connections;
        var (c1, c2) = (entries[0], entries[1]);
        Assert.Equal(("c1", "ann", "10.0.0.7", 1_700_000_000_000L), (c1.ConnectionId, c1.UserId, c1.RemoteAddress, c1.ConnectedAtMs));
        Assert.Equal(["alpha", "zeta"], c1.Groups);
        Assert.Equal((0L, 0L, 0), (c1.MessagesIn, c1.MessagesOut, c1.OutboxDepth));
        Assert.Empty(c2.Groups);
    }

    [Fact]
    public void Group_sizes_count_the_members_here()
    {
        var (a, b, c) = (Added("a1", "ann"), Added("b1", "ben"), Added("c1", "cat"));
        _here.Join(a, "big", 5);
        _here.Join(b, "big", 5);
        _here.Join(c, "big", 5);
        _here.Join(c, "small", 5);
        Assert.Equal([("big", 3), ("small", 1)], _here.GroupSizes().Order());
        _here.Remove(c);
        Assert.Equal([("big", 2)], _here.GroupSizes());
    }

    // One string, so that a page and its More compare in one assertion.
    private static string Ids(ConnectionList list) => string.Join(' ', list.Connections.Select(c => c.ConnectionId));

    [Fact]
    public void A_connection_keeps_the_marks_of_the_streams_it_opened_while_it_follows_them()
    {
        var a = Added("a1", "ann");
        _here.Join(a, "g1", 5);
        _here.Opened("a1", null, new History.StreamPosition("e1", 10));
        _here.Opened("a1", "g1", new History.StreamPosition("g", 4));
        _here.Opened("a1", "g2", new History.StreamPosition("g", 4)); // left before its stream answered: not kept
        Assert.False(_here.StillGoes("a1", null, Numbered(10)));
        Assert.True(_here.StillGoes("a1", null, Numbered(11)));
        Assert.False(_here.StillGoes("a1", "g1", Numbered(4)));
        Assert.True(_here.StillGoes("a1", "g2", Numbered(4)));

        // Left and joined again without history, or closed and back: nothing counts as had any more.
        _here.Leave(a, "g1");
        _here.Join(a, "g1", 5);
        Assert.True(_here.StillGoes("a1", "g1", Numbered(4)));
        _here.Remove(a);
        Added("a1", "ann");
        Assert.True(_here.StillGoes("a1", null, Numbered(10)));
    }

    private static Streams.Outbound.OutboundFrame Numbered(long seq) =>
        Streams.Outbound.OutboundFrame.Text("""{"type":"chat","data":1}"""u8).WithSeq(seq);
}

using Akka.Actor;
using Switchboard.Actors.History;
using Switchboard.Actors.Routing.State;

namespace Switchboard.Actors.Tests;

/// <summary>
/// The cluster-wide bound per user as a user bucket's state decides it, without an actor: connections and places not yet
/// lapsed count, a place becomes its connection, and one whose connection never came lapses.
/// </summary>
public sealed class ConnectionReservationTests
{
    private static readonly long Lifetime = (long)ConnectionReservations.Lifetime.TotalMilliseconds;
    private readonly IActorRef _node1 = new TestNode("node1");
    private readonly IActorRef _node2 = new TestNode("node2");
    private readonly UserBucketState _state = new();
    private readonly IStreamKeeper _noHistory = NoHistory.Instance;

    [Fact]
    public void Connections_on_any_node_and_held_places_count_toward_the_bound()
    {
        _state.Add("u", "c1", _node1);
        Assert.True(_state.Reserve("u", "c2", limit: 3, now: 0));
        _state.Add("u", "c3", _node2); // opened without a place: admitted before the bound, or while the entity did not answer

        Assert.False(_state.Reserve("u", "c4", limit: 3, now: 1));
        Assert.True(_state.Reserve("other", "c5", limit: 3, now: 1)); // another user of the bucket is not held by u's count
    }

    [Fact]
    public void A_place_becomes_its_connection_and_is_not_counted_twice()
    {
        Assert.True(_state.Reserve("u", "c1", limit: 2, now: 0));
        _state.Add("u", "c1", _node1);
        Assert.True(_state.Reserve("u", "c2", limit: 2, now: 1));
        Assert.False(_state.Reserve("u", "c3", limit: 2, now: 2));

        // A connection that opens after its place lapsed counts as any other.
        Assert.Null(_state.ExpireReservations(Lifetime * 10));
        _state.Add("u", "c2", _node2);
        Assert.False(_state.Reserve("u", "c3", limit: 2, now: Lifetime * 10));
        _state.Remove("u", "c1");
        Assert.True(_state.Reserve("u", "c3", limit: 2, now: Lifetime * 10));
    }

    [Fact]
    public void A_place_whose_connection_never_opens_lapses_and_frees_the_user()
    {
        Assert.True(_state.Reserve("u", "c1", limit: 1, now: 1_000));
        Assert.False(_state.Reserve("u", "c2", limit: 1, now: 1_000 + Lifetime - 1));
        Assert.Equal(1_000 + Lifetime, _state.ExpireReservations(1_000 + Lifetime - 1));
        Assert.False(_state.MayPassivate(_noHistory)); // a held place is not lost to a passivation

        Assert.Null(_state.ExpireReservations(1_000 + Lifetime));
        Assert.True(_state.MayPassivate(_noHistory));
        Assert.True(_state.Reserve("u", "c2", limit: 1, now: 1_000 + Lifetime));
    }

    [Fact]
    public void A_lapsed_place_stops_counting_even_before_it_is_swept()
    {
        Assert.True(_state.Reserve("u", "c1", limit: 1, now: 0));
        Assert.True(_state.Reserve("u", "c2", limit: 1, now: Lifetime));
    }

    [Fact]
    public void An_upgrade_that_failed_frees_its_place_at_once()
    {
        Assert.True(_state.Reserve("u", "c1", limit: 1, now: 0));
        _state.Remove("u", "c1"); // what the node sends for an upgrade it abandoned
        Assert.True(_state.Reserve("u", "c2", limit: 1, now: 1));
    }

    [Fact]
    public void A_question_repeated_for_the_same_connection_is_granted_without_a_second_place()
    {
        Assert.True(_state.Reserve("u", "c1", limit: 2, now: 0));
        Assert.True(_state.Reserve("u", "c1", limit: 2, now: 1));
        Assert.True(_state.Reserve("u", "c2", limit: 2, now: 2));
        _state.Add("u", "c2", _node1);
        Assert.True(_state.Reserve("u", "c2", limit: 2, now: 3)); // already a connection: counted once
        Assert.False(_state.Reserve("u", "c3", limit: 2, now: 3));
    }

    [Fact]
    public void The_next_lapse_is_the_earliest_place_left()
    {
        _state.Reserve("a", "c1", limit: 5, now: 0);
        _state.Reserve("b", "c2", limit: 5, now: 100);
        _state.Reserve("a", "c3", limit: 5, now: 200);
        Assert.Equal(Lifetime, _state.ExpireReservations(50));
        Assert.Equal(Lifetime + 100, _state.ExpireReservations(Lifetime));
        Assert.Equal(Lifetime + 200, _state.ExpireReservations(Lifetime + 100));
        Assert.Null(_state.ExpireReservations(Lifetime + 200));
    }
}

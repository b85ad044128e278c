using Akka.Actor;
using Switchboard.Actors.Delivery.State;
using Switchboard.Actors.Hub;

namespace Switchboard.Actors.Tests;

/// <summary>
/// A partition's session deadlines on their own, at instants the test names: a session the connect hook granted is asked
/// to be refreshed 30 s before it runs out (at once when less is left), asked again every 5 s while the refresh hook fails,
/// and expires when it runs out unextended.
/// </summary>
public sealed class SessionDeadlinesTests
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly SessionDeadlines _deadlines = new(refreshes: true);
    private readonly LocalConnection _c1 = new(TestConnection.Detached("c1"), "ann", ActorRefs.Nobody);
    private readonly LocalConnection _c2 = new(TestConnection.Detached("c2"), "bob", ActorRefs.Nobody);

    [Fact]
    public void A_session_is_asked_30_seconds_before_it_runs_out_and_not_again_until_answered()
    {
        var expires = T0 + TimeSpan.FromMinutes(10);
        _deadlines.Track(_c1, expires);

        Assert.Null(_deadlines.Due(expires - SessionDeadlines.Ahead - TimeSpan.FromTicks(1)));
        Assert.Equal([(_c1, SessionStep.Ask)], _deadlines.Due(expires - SessionDeadlines.Ahead)!);
        Assert.Same(_c1, _deadlines.Asked("c1"));
        Assert.Null(_deadlines.Due(expires + TimeSpan.FromMinutes(1))); // awaiting its answer, even past the end
    }

    [Fact]
    public void A_session_shorter_than_the_lead_is_asked_at_once()
    {
        _deadlines.Track(_c1, T0 + TimeSpan.FromSeconds(3));
        Assert.Equal([(_c1, SessionStep.Ask)], _deadlines.Due(T0)!);
    }

    [Fact]
    public void A_session_that_ran_out_between_two_sweeps_is_asked_before_it_expires()
    {
        var expires = T0 + TimeSpan.FromSeconds(1);
        _deadlines.Track(_c1, expires);

        Assert.Equal([(_c1, SessionStep.Ask)], _deadlines.Due(expires + TimeSpan.FromSeconds(1))!);
        Assert.True(_deadlines.Failed("c1", expires + TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public void An_extension_moves_the_deadline()
    {
        _deadlines.Track(_c1, T0 + TimeSpan.FromSeconds(3));
        _deadlines.Due(T0);
        var extended = T0 + TimeSpan.FromMinutes(1);
        _deadlines.Track(_c1, extended);

        Assert.Null(_deadlines.Asked("c1"));
        Assert.Null(_deadlines.Due(extended - SessionDeadlines.Ahead - TimeSpan.FromTicks(1)));
        Assert.Equal([(_c1, SessionStep.Ask)], _deadlines.Due(extended - SessionDeadlines.Ahead)!);
    }

    [Fact]
    public void A_failed_refresh_is_asked_again_every_5_seconds_until_the_session_runs_out()
    {
        var expires = T0 + TimeSpan.FromSeconds(12);
        _deadlines.Track(_c1, expires);
        _deadlines.Due(T0);

        Assert.False(_deadlines.Failed("c1", T0));
        Assert.Null(_deadlines.Due(T0 + SessionDeadlines.RetryAfter - TimeSpan.FromTicks(1)));
        Assert.Equal([(_c1, SessionStep.Ask)], _deadlines.Due(T0 + SessionDeadlines.RetryAfter)!);
        Assert.False(_deadlines.Failed("c1", T0 + SessionDeadlines.RetryAfter));
        Assert.Equal([(_c1, SessionStep.Ask)], _deadlines.Due(T0 + 2 * SessionDeadlines.RetryAfter)!);

        // Less than 5 s left: the next step is the end.
        Assert.False(_deadlines.Failed("c1", T0 + 2 * SessionDeadlines.RetryAfter));
        Assert.Null(_deadlines.Due(expires - TimeSpan.FromTicks(1)));
        Assert.Equal([(_c1, SessionStep.Expire)], _deadlines.Due(expires)!);
        Assert.Equal(0, _deadlines.Count);
    }

    [Fact]
    public void A_refresh_that_fails_after_the_session_ran_out_expires_it_at_once()
    {
        var expires = T0 + TimeSpan.FromSeconds(2);
        _deadlines.Track(_c1, expires);
        _deadlines.Due(T0);

        Assert.True(_deadlines.Failed("c1", expires));
        Assert.Equal(0, _deadlines.Count);
        Assert.False(_deadlines.Failed("c1", expires)); // once
    }

    [Fact]
    public void Without_a_refresh_hook_a_session_only_expires_when_it_runs_out()
    {
        var deadlines = new SessionDeadlines(refreshes: false);
        var expires = T0 + TimeSpan.FromMinutes(1);
        deadlines.Track(_c1, expires);

        Assert.Null(deadlines.Due(expires - TimeSpan.FromTicks(1)));
        Assert.Equal([(_c1, SessionStep.Expire)], deadlines.Due(expires)!);
    }

    [Fact]
    public void A_closed_connection_is_never_due_and_stale_entries_do_not_pile_up()
    {
        _deadlines.Track(_c2, T0 + TimeSpan.FromHours(2));
        for (var i = 0; i < 1000; i++)
        {
            var local = new LocalConnection(TestConnection.Detached($"x{i}"), "ann", ActorRefs.Nobody);
            _deadlines.Track(local, T0 + TimeSpan.FromHours(1));
            _deadlines.Untrack(local.Id);
        }

        Assert.Equal(1, _deadlines.Count);
        Assert.True(_deadlines.Queued <= 2 * _deadlines.Count + 65);
        Assert.Null(_deadlines.Due(T0 + TimeSpan.FromHours(1)));
        Assert.Equal([(_c2, SessionStep.Ask)], _deadlines.Due(T0 + TimeSpan.FromHours(2) - SessionDeadlines.Ahead)!);
    }
}

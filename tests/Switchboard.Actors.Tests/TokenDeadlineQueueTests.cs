using Switchboard.Actors.Delivery.State;
using Switchboard.Streams;

namespace Switchboard.Actors.Tests;

/// <summary>
/// A partition's token deadlines on their own, at instants the test names: a client is warned 30 s before its token's
/// <c>exp</c> and closed once the leeway past it has gone, unless it refreshed meanwhile.
/// </summary>
public sealed class TokenDeadlineQueueTests
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Leeway = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    private readonly TokenDeadlineQueue _queue = new(Leeway);
    private readonly WebSocketConnection _c1 = TestConnection.Detached("c1");
    private readonly WebSocketConnection _c2 = TestConnection.Detached("c2");

    [Fact]
    public void A_token_is_warned_of_30_seconds_before_exp_and_closed_once_the_leeway_past_it_has_gone()
    {
        var exp = T0 + TimeSpan.FromMinutes(10);
        _queue.Track(_c1, exp);

        Assert.Null(_queue.Due(T0));
        Assert.Null(_queue.Due(exp - TokenDeadlineQueue.Warning - TimeSpan.FromTicks(1)));
        Assert.Equal([(_c1, false, 30L)], _queue.Due(exp - TokenDeadlineQueue.Warning)!);
        Assert.Null(_queue.Due(exp - TokenDeadlineQueue.Warning)); // warned once

        Assert.Null(_queue.Due(exp));
        Assert.Null(_queue.Due(exp + Leeway - TimeSpan.FromTicks(1)));
        var closed = Assert.Single(_queue.Due(exp + Leeway)!);
        Assert.Equal((_c1, true), (closed.Connection, closed.Close));
        Assert.Equal(0, _queue.Count);
        Assert.Null(_queue.Due(exp + TimeSpan.FromDays(1)));
    }

    [Fact]
    public void A_warning_swept_late_says_the_seconds_actually_left_rounded_up()
    {
        var exp = T0 + TimeSpan.FromSeconds(12.5);
        _queue.Track(_c1, exp);
        Assert.Equal([(_c1, false, 13L)], _queue.Due(T0)!);
    }

    [Fact]
    public void A_token_already_past_its_leeway_is_warned_and_closed_in_the_same_sweep()
    {
        _queue.Track(_c1, T0 - TimeSpan.FromMinutes(1));
        Assert.Equal([(_c1, false, 0L), (_c1, true, 0L)], _queue.Due(T0)!);
        Assert.Equal(0, _queue.Count);
    }

    [Fact]
    public void A_refreshed_token_moves_the_deadline_and_the_earlier_one_goes_stale()
    {
        var first = T0 + TimeSpan.FromMinutes(10);
        var renewed = T0 + TimeSpan.FromHours(1);
        _queue.Track(_c1, first);
        _queue.Track(_c1, renewed);
        Assert.Equal(1, _queue.Count);

        // Long past the first token's warning and close: nothing, the deadline is the renewed one's.
        Assert.Null(_queue.Due(first + Leeway + TimeSpan.FromMinutes(1)));
        Assert.Equal([(_c1, false, 30L)], _queue.Due(renewed - TokenDeadlineQueue.Warning)!);
    }

    [Fact]
    public void A_refresh_after_the_warning_cancels_the_close()
    {
        var first = T0 + TimeSpan.FromMinutes(10);
        _queue.Track(_c1, first);
        Assert.Single(_queue.Due(first - TokenDeadlineQueue.Warning)!);

        var renewed = first + TimeSpan.FromHours(1);
        _queue.Track(_c1, renewed);
        Assert.Null(_queue.Due(first + Leeway));
        // The renewed token is warned of in its turn, as a new one.
        Assert.Equal([(_c1, false, 30L)], _queue.Due(renewed - TokenDeadlineQueue.Warning)!);
    }

    [Fact]
    public void An_untracked_connection_is_neither_warned_nor_closed()
    {
        var exp = T0 + TimeSpan.FromMinutes(10);
        _queue.Track(_c1, exp);
        _queue.Track(_c2, exp + Second);
        _queue.Untrack(_c1);
        Assert.Equal(1, _queue.Count);

        Assert.Equal([(_c2, false, 30L)], _queue.Due(exp + Second - TokenDeadlineQueue.Warning)!);
        Assert.Equal([(_c2, true, 0L)], _queue.Due(exp + Second + Leeway)!);
        _queue.Untrack(_c2); // closed already: nothing to untrack
        Assert.Equal(0, _queue.Count);
    }

    [Fact]
    public void A_late_sweep_gives_the_warnings_and_closes_in_the_order_of_their_instants_whatever_the_order_tracked()
    {
        _queue.Track(_c2, T0 + TimeSpan.FromMinutes(2));
        _queue.Track(_c1, T0 + TimeSpan.FromMinutes(1));
        var due = _queue.Due(T0 + TimeSpan.FromMinutes(5))!;
        // c1's close (1:05) comes before c2's warning (1:30).
        Assert.Equal([(_c1, false), (_c1, true), (_c2, false), (_c2, true)], due.Select(d => (d.Connection, d.Close)));
    }

    [Fact]
    public void Closed_and_renewed_deadlines_do_not_pile_up_in_the_queue()
    {
        var exp = T0 + TimeSpan.FromHours(8);
        for (var i = 0; i < 1000; i++)
        {
            var passing = TestConnection.Detached($"short-{i}");
            _queue.Track(passing, exp);
            _queue.Untrack(passing);
            _queue.Track(_c1, exp + TimeSpan.FromSeconds(i)); // a renewal each time
        }
        Assert.Equal(1, _queue.Count);
        Assert.InRange(_queue.Queued, 1, 2 * _queue.Count + 64 + 1);
        Assert.Equal([(_c1, false, 30L)], _queue.Due(exp + TimeSpan.FromSeconds(999) - TokenDeadlineQueue.Warning)!);
    }

    [Fact]
    public void A_warned_deadline_kept_through_a_rebuild_of_the_queue_still_closes_at_exp_plus_the_leeway()
    {
        var exp = T0 + TimeSpan.FromMinutes(10);
        _queue.Track(_c1, exp);
        Assert.Equal([(_c1, false, 30L)], _queue.Due(exp - TokenDeadlineQueue.Warning)!);
        for (var i = 0; i < 200; i++)
        {
            var passing = TestConnection.Detached($"short-{i}");
            _queue.Track(passing, exp + TimeSpan.FromHours(1));
            _queue.Untrack(passing);
        }
        Assert.Null(_queue.Due(exp + Leeway - TimeSpan.FromTicks(1)));
        Assert.Equal([(_c1, true, 0L)], _queue.Due(exp + Leeway)!);
    }
}

using Switchboard.Actors.Namespaces;
using Switchboard.Actors.Routing.State;

namespace Switchboard.Actors.Tests;

/// <summary>Which presence events go out: the per-group budget of deliveries a second, and the delayed last leave.</summary>
public sealed class PresenceGateTests
{
    private static Departure LastOf(string user, string connection) =>
        new(connection, new GroupMember(user, new TestNode("n"), "n", null), Last: true);

    [Fact]
    public void Events_go_out_while_their_deliveries_fit_the_second_then_are_coalesced_once()
    {
        var gate = new PresenceGate(new PresenceOptions(EventDeliveriesPerSecond: 100));
        Assert.True(gate.MaySend(60, now: 0));
        Assert.False(gate.MaySend(60, now: 10)); // 120 > 100
        Assert.False(gate.MaySend(1, now: 20) && gate.MaySend(60, now: 20));
        Assert.True(gate.HasWork);
        Assert.True(gate.Tick(now: 500).Coalesced);
        Assert.False(gate.Tick(now: 900).Coalesced); // owed once
        Assert.True(gate.MaySend(60, now: 1000)); // a new second
    }

    [Fact]
    public void An_event_that_costs_more_than_the_whole_budget_never_goes_out()
    {
        var gate = new PresenceGate(new PresenceOptions(EventDeliveriesPerSecond: 20_000));
        Assert.False(gate.MaySend(100_000, now: 0));
        Assert.False(gate.MaySend(100_000, now: 5_000));
    }

    [Fact]
    public void Without_a_leave_delay_a_last_leave_goes_out_at_once()
    {
        var gate = new PresenceGate(PresenceOptions.Defaults);
        Assert.False(gate.Delay(LastOf("ann", "c1"), "closed", now: 0));
        Assert.False(gate.HasWork);
    }

    [Fact]
    public void A_delayed_leave_is_due_after_the_delay_unless_the_user_came_back()
    {
        var gate = new PresenceGate(new PresenceOptions(LeaveDelay: TimeSpan.FromSeconds(2)));
        Assert.True(gate.Delay(LastOf("ann", "c1"), "closed", now: 0));
        Assert.True(gate.Delay(LastOf("ben", "c2"), "left", now: 0));
        Assert.Empty(gate.Tick(now: 1_000).Leaves);
        Assert.True(gate.CameBack("ann"));
        Assert.False(gate.CameBack("ann"));
        var due = gate.Tick(now: 2_000).Leaves;
        Assert.Equal([("ben", "c2", "left")], due.Select(l => (l.Departure.Member.UserId, l.Departure.ConnectionId, l.Reason)));
        Assert.False(gate.HasWork);
    }
}

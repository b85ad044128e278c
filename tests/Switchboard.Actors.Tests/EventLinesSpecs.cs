using Akka.Actor;
using Akka.Hosting;
using Akka.Streams;
using Switchboard.Actors.Delivery.State;
using Switchboard.Actors.Hub;
using Switchboard.Streams;
using Switchboard.Streams.Hosting;
using static Switchboard.Actors.Events.EventsProtocol;

namespace Switchboard.Actors.Tests;

/// <summary>A partition's lifecycle events in each connection's order, a join's only once the group confirmed it.</summary>
public sealed class EventLinesSpecs : Akka.Hosting.TestKit.TestKit
{
    private readonly List<IConnectionEvent> _emitted = [];

    protected override void ConfigureAkka(AkkaConfigurationBuilder builder, IServiceProvider provider)
    {
    }

    private EventLines Lines() => new(_emitted.Add, TimeProvider.System);

    private LocalConnection Open(string id)
    {
        var socket = TestConnection.Open(new ConnectionHosts(Sys.Materializer(), 1), id, new ConnectionCounters());
        return new LocalConnection(socket.Connection, "u-" + id, ActorRefs.Nobody);
    }

    private List<string> Said(string? connectionId = null) => _emitted.Where(e => connectionId is null || e.ConnectionId == connectionId)
        .Select(e => e switch
        {
            Joined j => $"joined:{j.Group}",
            Left l => $"left:{l.Group}",
            _ => e.GetType().Name.ToLowerInvariant(),
        }).ToList();

    [Fact]
    public void A_joined_waits_for_the_groups_confirmation_and_what_the_connection_did_meanwhile_waits_behind_it()
    {
        var lines = Lines();
        var a = Open("a");
        lines.Connected(a);
        lines.Joining(a, "g1");
        lines.Joining(a, "g2");
        lines.Left(a, "g1");
        Assert.Equal(["connected"], Said());

        lines.Confirmed("a", "g2");
        Assert.Equal(["connected"], Said());
        lines.Confirmed("a", "g1");
        Assert.Equal(["connected", "joined:g1", "joined:g2", "left:g1"], Said());
        lines.Left(a, "g2");
        Assert.Equal("left:g2", Said()[^1]);
    }

    [Fact]
    public void A_refused_join_makes_no_event_nor_does_a_leave_of_it_and_another_connection_never_waits()
    {
        var lines = Lines();
        var (a, b) = (Open("a"), Open("b"));
        lines.Connected(a);
        lines.Joining(a, "full");
        lines.Left(a, "full");
        lines.Connected(b);
        Assert.Equal(["connected"], Said("b"));

        lines.Refused("a", "full");
        lines.Joining(a, "g");
        lines.Confirmed("a", "g");
        Assert.Equal(["connected", "joined:g"], Said("a"));
    }

    [Fact]
    public void A_close_sends_what_waited_with_joins_still_unanswered_and_says_disconnected_last()
    {
        var lines = Lines();
        var a = Open("a");
        lines.Connected(a);
        lines.Joining(a, "g1");
        lines.Confirmed("a", "g1");
        lines.Joining(a, "slow");
        lines.Left(a, "g1");
        lines.Left(a, "slow");
        lines.Disconnected(a);
        lines.Confirmed("a", "slow");

        Assert.Equal(["connected", "joined:g1", "joined:slow", "left:g1", "left:slow", "disconnected"], Said());
        var disconnected = Assert.IsType<Disconnected>(_emitted[^1]);
        Assert.Equal((ClosedCodes.Abnormal, ""), (disconnected.Code, disconnected.Reason));
        Assert.True(disconnected.DurationMs >= 0);
    }
}

using Switchboard.Streams.Framing;
using Switchboard.Streams.Outbound;

namespace Switchboard.Streams.Tests;

public sealed class OutboxTests
{
    private readonly ConnectionCounters _counters = new();

    /// <summary>An outbox whose socket has stalled, so that its bound counts, unless <paramref name="stalled"/> is false.</summary>
    private Outbox Outbox(OverflowPolicy policy, int capacity = 2, bool stalled = true)
    {
        var outbox = new Outbox(capacity, policy, TimeSpan.FromMinutes(1), _counters, stallGrace: TimeSpan.Zero);
        if (stalled)
            outbox.PipeFilled();
        return outbox;
    }

    private static OutboundFrame Data(int n) => OutboundFrame.Text(System.Text.Encoding.UTF8.GetBytes($$"""{"n":{{n}}}"""));

    private static List<OutboundFrame> Drain(Outbox outbox, out DrainResult result)
    {
        var batch = new List<OutboundFrame>();
        result = outbox.Drain(batch, int.MaxValue);
        return batch;
    }

    [Fact]
    public void Drop_policy_drops_and_counts_what_does_not_fit()
    {
        var outbox = Outbox(OverflowPolicy.Drop);
        Assert.Equal(OfferResult.Enqueued, outbox.Offer(Data(1)));
        Assert.Equal(OfferResult.Enqueued, outbox.Offer(Data(2)));
        Assert.Equal(OfferResult.Dropped, outbox.Offer(Data(3)));
        Assert.Equal(1, _counters.Dropped);
        Assert.False(outbox.IsClosing);
    }

    [Theory]
    [InlineData(OverflowPolicy.Drop)]
    [InlineData(OverflowPolicy.Close)]
    [InlineData(OverflowPolicy.WaitThenDrop)]
    [InlineData(OverflowPolicy.WaitThenClose)]
    public void While_the_socket_takes_bytes_every_message_is_taken_whatever_the_policy(OverflowPolicy policy)
    {
        var outbox = Outbox(policy, capacity: 2, stalled: false);
        var frames = Enumerable.Range(0, 1_000).Select(Data).ToList();
        Assert.All(frames.Select(outbox.Offer), r => Assert.Equal(OfferResult.Enqueued, r));
        Assert.Equal(frames, Drain(outbox, out _));
        Assert.Equal((0, 0), (_counters.Dropped, _counters.ClosedSlow));
    }

    [Fact]
    public void Once_the_socket_stalls_what_already_waits_counts_and_a_drained_pipe_lets_the_waiting_go()
    {
        var outbox = Outbox(OverflowPolicy.WaitThenDrop, capacity: 2, stalled: false);
        var frames = Enumerable.Range(0, 5).Select(Data).ToList();
        Assert.All(frames[..3].Select(outbox.Offer), r => Assert.Equal(OfferResult.Enqueued, r));
        outbox.PipeFilled();
        Assert.True(outbox.IsStalled);
        Assert.Equal(OfferResult.Waiting, outbox.Offer(frames[3]));
        outbox.PipeDrained();
        Assert.Equal(0, outbox.Waiting);
        Assert.Equal(OfferResult.Enqueued, outbox.Offer(frames[4]));
        Assert.Equal(frames, Drain(outbox, out _));
        Assert.Equal(0, _counters.Dropped);
    }

    [Fact]
    public void A_socket_stalls_once_its_pipe_was_full_for_the_grace_since_the_connection_last_caught_up()
    {
        var clock = new StallClock(TimeSpan.FromMilliseconds(100));
        clock.PipeFilled(now: 1_000);
        Assert.False(clock.IsStalled(1_099));
        Assert.True(clock.IsStalled(1_100));

        clock.PipeDrained(1_060); // a reader that drains now and then but never catches up: the spells add up
        Assert.False(clock.IsStalled(1_070));
        clock.PipeFilled(1_200);
        Assert.False(clock.IsStalled(1_239));
        Assert.True(clock.IsStalled(1_240));

        clock.PipeDrained(1_240);
        clock.CaughtUp(); // nothing was left to write: a new burst starts from nothing
        clock.PipeFilled(2_000);
        Assert.False(clock.IsStalled(2_099));
    }

    [Fact]
    public void At_most_one_pong_and_one_ping_are_owed()
    {
        var outbox = Outbox(OverflowPolicy.Drop);
        var pongs = Enumerable.Range(0, 100).Select(n => OutboundFrame.Control(Opcode.Pong, [(byte)n])).ToList();
        var ping = OutboundFrame.Control(Opcode.Ping, []);
        foreach (var pong in pongs)
        {
            outbox.SendPong(pong);
            outbox.SendPing(ping);
        }
        Assert.Equal(2, _counters.QueuedControlFrames);

        var batch = Drain(outbox, out _);
        Assert.Equal([pongs[^1], ping], batch); // the newest ping's pong
        Assert.Equal(0, _counters.QueuedControlFrames);
    }

    [Fact]
    public void Close_policy_closes_with_1013_and_counts()
    {
        var outbox = Outbox(OverflowPolicy.Close, capacity: 1);
        outbox.Offer(Data(1));
        Assert.Equal(OfferResult.Closed, outbox.Offer(Data(2)));
        Assert.Equal((ushort)1013, outbox.CloseCode);
        Assert.Equal(1, _counters.ClosedSlow);
        Assert.Equal(OfferResult.Closed, outbox.Offer(Data(3)));

        var batch = Drain(outbox, out var result);
        Assert.Equal(DrainResult.Last, result);
        Assert.Equal(Opcode.Close, Assert.Single(batch).Opcode); // the buffered message was discarded
    }

    [Fact]
    public void Wait_policy_holds_messages_in_order_until_room_comes()
    {
        var outbox = Outbox(OverflowPolicy.WaitThenDrop);
        var frames = Enumerable.Range(1, 4).Select(Data).ToList();
        Assert.Equal([OfferResult.Enqueued, OfferResult.Enqueued, OfferResult.Waiting, OfferResult.Waiting],
            frames.Select(outbox.Offer).ToList());
        Assert.Equal(2, outbox.Waiting);

        Assert.Equal(frames[..2], Drain(outbox, out _));
        Assert.Equal(frames[2..], Drain(outbox, out _));
        Assert.Equal(0, _counters.Dropped);
    }

    [Fact]
    public void Wait_policy_drops_at_once_when_the_waiting_room_is_full_too()
    {
        var outbox = Outbox(OverflowPolicy.WaitThenDrop, capacity: 1);
        outbox.Offer(Data(1));
        Assert.Equal(OfferResult.Waiting, outbox.Offer(Data(2)));
        Assert.Equal(OfferResult.Dropped, outbox.Offer(Data(3)));
    }

    [Fact]
    public void Control_frames_go_first_and_ignore_the_bound()
    {
        var outbox = Outbox(OverflowPolicy.Drop, capacity: 1);
        outbox.Offer(Data(1));
        var pong = OutboundFrame.Control(Opcode.Pong, []);
        outbox.SendControl(pong);
        var batch = Drain(outbox, out _);
        Assert.Same(pong, batch[0]);
        Assert.Equal(2, batch.Count);
    }

    [Fact]
    public void Queued_control_frames_keep_their_order_and_go_ahead_of_the_owed_pong_and_ping()
    {
        var outbox = Outbox(OverflowPolicy.Drop);
        var first = Enumerable.Range(0, 3).Select(n => OutboundFrame.Control(Opcode.Pong, [(byte)n])).ToList();
        var pong = OutboundFrame.Control(Opcode.Pong, [9]);
        outbox.SendPong(pong);
        first.ForEach(outbox.SendControl);
        Assert.Equal([.. first, pong], Drain(outbox, out _));

        var next = OutboundFrame.Control(Opcode.Pong, [7]);
        outbox.SendControl(next);
        Assert.Equal([next], Drain(outbox, out _));
        Assert.Equal(0, _counters.QueuedControlFrames);
    }

    [Fact]
    public void Graceful_close_sends_buffered_data_then_the_close_frame_last()
    {
        var outbox = Outbox(OverflowPolicy.Drop);
        outbox.Offer(Data(1));
        Assert.True(outbox.Close(1001, "bye", discardPending: false));
        Assert.False(outbox.Close(1000, "again", discardPending: false));

        var batch = Drain(outbox, out var result);
        Assert.Equal(DrainResult.Last, result);
        Assert.Equal([Opcode.Text, Opcode.Close], batch.Select(f => f.Opcode));
    }

    [Fact]
    public void Abort_ends_without_a_close_frame()
    {
        var outbox = Outbox(OverflowPolicy.Drop);
        outbox.Offer(Data(1));
        outbox.Abort();
        Assert.Empty(Drain(outbox, out var result));
        Assert.Equal(DrainResult.Last, result);
    }

    [Fact]
    public void Batches_stop_at_the_byte_budget_but_hold_at_least_one_frame()
    {
        var outbox = new Outbox(10, OverflowPolicy.Drop, TimeSpan.Zero, _counters, TimeSpan.Zero);
        for (var n = 0; n < 5; n++)
            outbox.Offer(Data(n));
        var batch = new List<OutboundFrame>();
        outbox.Drain(batch, maxBytes: 1);
        Assert.Single(batch);
    }
}

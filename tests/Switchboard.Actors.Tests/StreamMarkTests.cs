using Switchboard.Actors.Delivery.State;
using Switchboard.Actors.Delivery;
using Switchboard.Actors.History;
using Switchboard.Actors.Routing;
using Switchboard.Streams.Json;
using Switchboard.Streams.Outbound;

namespace Switchboard.Actors.Tests;

public sealed class StreamMarkTests
{
    private static OutboundFrame Message(long seq) => OutboundFrame.Text("""{"type":"chat","data":1}"""u8).WithSeq(seq);

    [Fact]
    public void What_the_position_counts_stays_back_and_what_comes_after_it_goes()
    {
        var mark = new StreamMark(new StreamPosition("e1", 5));
        Assert.False(mark.StillGoes(Message(4)));
        Assert.False(mark.StillGoes(Message(5)));
        Assert.True(mark.StillGoes(Message(6)));
        Assert.True(mark.StillGoes(ServerFrames.Pong));
    }

    [Fact]
    public void A_reset_to_the_epoch_the_position_is_in_stays_back()
    {
        // The first message of a new stream raced the read of the position: the position already has the new epoch.
        var mark = new StreamMark(new StreamPosition("e2", 1));
        Assert.False(mark.StillGoes(ServerFrames.StreamReset(null, "e2", 0)));
        Assert.False(mark.StillGoes(Message(1)));
        Assert.True(mark.StillGoes(Message(2)));
    }

    [Fact]
    public void After_a_reset_to_another_epoch_everything_goes()
    {
        var mark = new StreamMark(new StreamPosition("e1", 40));
        Assert.False(mark.StillGoes(Message(40)));
        Assert.True(mark.StillGoes(ServerFrames.StreamReset("room", "e2", 0)));
        Assert.True(mark.StillGoes(Message(1)));
        Assert.True(mark.StillGoes(Message(2)));
    }

    [Fact]
    public void The_epoch_of_a_reset_is_read_back_and_other_frames_have_none()
    {
        Assert.Equal("e9", ServerFrames.StreamResetEpochOf(ServerFrames.StreamReset("room", "e9", 3)));
        Assert.Null(ServerFrames.StreamResetEpochOf(Message(1)));
        Assert.Null(ServerFrames.StreamResetEpochOf(ServerFrames.Pong));
    }

    [Fact]
    public void A_reset_to_another_epoch_moves_the_mark_there()
    {
        var mark = new StreamMark(new StreamPosition("e1", 40));
        Assert.True(mark.StillGoes(ServerFrames.StreamReset(null, "e2", 0)));
        Assert.False(mark.StillGoes(ServerFrames.StreamReset(null, "e2", 0)));
        Assert.True(mark.StillGoes(Message(3)));
    }

    [Fact]
    public void Resets_and_resent_copies_are_weighed_and_first_copies_are_not()
    {
        var relay = new TestNode("relay");
        Assert.True(StreamMark.Weighs(Message(5), new RelayStamp(relay, 1, Resent: true)));
        Assert.False(StreamMark.Weighs(Message(5), new RelayStamp(relay, 1, Resent: false)));
        Assert.False(StreamMark.Weighs(Message(5), null));
        Assert.True(StreamMark.Weighs(ServerFrames.StreamReset(null, "e2", 0), null));
        Assert.False(StreamMark.Weighs(ServerFrames.Pong, new RelayStamp(relay, 1, Resent: true)));
    }
}

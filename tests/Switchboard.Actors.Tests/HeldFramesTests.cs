using Switchboard.Actors.Delivery.State;
using Switchboard.Actors.Delivery;
using Switchboard.Actors.History;
using Switchboard.Streams.Json;
using Switchboard.Streams.Outbound;

namespace Switchboard.Actors.Tests;

public sealed class HeldFramesTests
{
    private static OutboundFrame Message(long seq) => OutboundFrame.Text("""{"type":"chat","data":1}"""u8).WithSeq(seq);

    [Fact]
    public void What_the_position_counts_stays_back_and_what_comes_after_it_goes()
    {
        var held = new HeldFrames(new StreamPosition("e1", 5));
        Assert.False(held.StillGoes(Message(4)));
        Assert.False(held.StillGoes(Message(5)));
        Assert.True(held.StillGoes(Message(6)));
        Assert.True(held.StillGoes(ServerFrames.Pong));
    }

    [Fact]
    public void A_reset_to_the_epoch_the_position_is_in_stays_back()
    {
        // The first message of a new stream raced the read of the position: the position already has the new epoch.
        var held = new HeldFrames(new StreamPosition("e2", 1));
        Assert.False(held.StillGoes(ServerFrames.StreamReset(null, "e2", 0)));
        Assert.False(held.StillGoes(Message(1)));
        Assert.True(held.StillGoes(Message(2)));
    }

    [Fact]
    public void After_a_reset_to_another_epoch_everything_goes()
    {
        var held = new HeldFrames(new StreamPosition("e1", 40));
        Assert.False(held.StillGoes(Message(40)));
        Assert.True(held.StillGoes(ServerFrames.StreamReset("room", "e2", 0)));
        Assert.True(held.StillGoes(Message(1)));
        Assert.True(held.StillGoes(Message(2)));
    }

    [Fact]
    public void The_epoch_of_a_reset_is_read_back_and_other_frames_have_none()
    {
        Assert.Equal("e9", ServerFrames.StreamResetEpochOf(ServerFrames.StreamReset("room", "e9", 3)));
        Assert.Null(ServerFrames.StreamResetEpochOf(Message(1)));
        Assert.Null(ServerFrames.StreamResetEpochOf(ServerFrames.Pong));
    }
}

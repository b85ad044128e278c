using System.Diagnostics.Metrics;
using Switchboard.Streams.Json;
using Switchboard.Streams.Outbound;

namespace Switchboard.Streams.Tests;

/// <summary>Which accepted messages the delivery clock stamps.</summary>
public sealed class DeliveryClockTests
{
    private static OutboundFrame Message() => OutboundFrame.Text("""{"type":"chat"}"""u8);

    [Fact]
    public void One_accepted_message_in_sample_every_is_stamped()
    {
        using var meter = new Meter("DeliveryClockTests");
        var clock = new DeliveryClock(4, meter.CreateHistogram<double>("delivery"));

        var stamped = Enumerable.Range(0, 12).Select(_ => clock.Accepted(Message()).AcceptedAt != 0).ToArray();

        Assert.Equal([false, false, false, true, false, false, false, true, false, false, false, true], stamped);
    }

    [Fact]
    public void Off_and_zero_stamp_nothing()
    {
        using var meter = new Meter("DeliveryClockTests");
        foreach (var clock in new[] { DeliveryClock.Off, new DeliveryClock(0, meter.CreateHistogram<double>("delivery")) })
            Assert.All(Enumerable.Range(0, 40), _ => Assert.Equal(0, clock.Accepted(Message()).AcceptedAt));
    }

    [Fact]
    public void Shared_frames_such_as_pong_are_never_accepted_so_never_stamped() => Assert.Equal(0, ServerFrames.Pong.AcceptedAt);
}

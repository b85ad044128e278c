using System.Text;
using Akka.Event;
using Switchboard.Actors.History;
using Switchboard.Streams.Outbound;
using static Switchboard.Actors.Routing.UserProtocol;

namespace Switchboard.Actors.Tests;

/// <summary>The three ways an entity keeps its streams, chosen once from its options, answering the same questions.</summary>
public sealed class StreamKeeperTests
{
    private static readonly HistoryOptions History = new(Size: 10, Ttl: TimeSpan.FromMinutes(5));
    private static readonly OutboundFrame Frame = OutboundFrame.Text("""{"type":"chat"}"""u8);
    private readonly HistoryBudget _budget = new(HistoryBudget.DefaultMaxBytes);

    private IStreamKeeper Choose(HistoryOptions history, IStreamStore? store = null) =>
        StreamKeepers.Choose(history, _budget, store, "u:", new TestNode("entity"), NoLogger.Instance);

    [Fact]
    public void The_options_choose_the_keeper()
    {
        Assert.IsType<NoHistory>(Choose(new HistoryOptions(0, HistoryOptions.DefaultTtl)));
        Assert.IsType<NoHistory>(Choose(new HistoryOptions(0, HistoryOptions.DefaultTtl), new UnusedStore())); // a store without history keeps nothing
        Assert.IsType<MemoryHistory>(Choose(History));
        Assert.IsType<StoredHistory>(Choose(History, new UnusedStore()));
    }

    [Fact]
    public void Without_history_a_message_goes_out_as_it_came_and_there_is_no_stream()
    {
        var keeper = Choose(new HistoryOptions(0, HistoryOptions.DefaultTtl));
        Numbering? numbering = null;
        keeper.Append("bob", new SendToUser("bob", Frame), (_, n) => numbering = n);
        Assert.False(numbering!.Value.IsNumbered);
        Assert.Same(Frame, numbering.Value.Frame);

        StreamRead? read = null;
        keeper.Read("bob", open: true, r => read = r);
        Assert.Same(StreamRead.None, read);
        Assert.False(keeper.KeepsHistory);
        Assert.Null(keeper.SweepInterval);
        Assert.True(keeper.HoldsNothing);
    }

    [Fact]
    public void In_memory_a_stream_is_opened_numbered_read_and_confirmed_at_once()
    {
        var keeper = Choose(History);
        StreamRead? read = null;
        keeper.Read("bob", open: false, r => read = r);
        Assert.Same(StreamRead.None, read); // reading does not start a stream
        Assert.True(keeper.HoldsNothing);

        keeper.Read("bob", open: true, r => read = r);
        var opened = read!.Position!;
        Assert.Equal(0, opened.Seq);
        Assert.False(keeper.HoldsNothing);

        var seqs = new List<long>();
        for (var i = 1; i <= 3; i++)
        {
            var send = new SendToUser("bob", Frame, Sender: "ann", MessageId: Encoding.UTF8.GetBytes($"\"m{i}\""), WantsReceipt: i != 2);
            keeper.Append("bob", send, (_, n) => seqs.Add(n.Seq));
        }
        Assert.Equal([1L, 2L, 3L], seqs);

        keeper.Read("bob", open: false, r => read = r, resume: opened);
        Assert.Equal((new StreamPosition(opened.Epoch, 3), 3), (read!.Position, read.Messages!.Count));
        keeper.Read("bob", open: false, r => read = r, since: 2);
        Assert.Equal(3, Assert.Single(read!.Messages!).Seq);

        IReadOnlyList<StreamReceipt>? receipts = null;
        keeper.Confirm("bob", 3, r => receipts = r);
        Assert.Equal([1L, 3L], receipts!.Select(r => r.Seq)); // the two that asked for one
        keeper.Read("bob", open: false, r => read = r);
        Assert.Equal(3, read!.DeliveredSeq);

        keeper.Release();
        Assert.Equal((0L, 0L), (_budget.Bytes, _budget.Messages));
    }

    // Choosing a keeper makes no call to its store.
    private sealed class UnusedStore : IStreamStore
    {
        public bool RefusesOnFailure => false;
        public long Failures => 0;
        public bool IsFailing => false;

        public Task<StreamAppended> AppendAsync(string stream, StreamAppend append) => throw new NotSupportedException();

        public Task<StreamRead> ReadAsync(string stream, bool open, StreamPosition? resume = null, long? since = null) =>
            throw new NotSupportedException();

        public Task<IReadOnlyList<StreamReceipt>> ConfirmAsync(string stream, long seq) => throw new NotSupportedException();
    }
}

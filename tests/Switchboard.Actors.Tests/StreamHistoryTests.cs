using System.Text;
using System.Text.Json;
using Akka.Actor;
using Switchboard.Actors.History;
using Switchboard.Actors.Routing;
using Switchboard.Streams.Outbound;

namespace Switchboard.Actors.Tests;

public sealed class StreamHistoryTests
{
    private const long Forever = long.MaxValue;

    private static OutboundFrame Chat(int n) => OutboundFrame.Text(Encoding.UTF8.GetBytes($$"""{"type":"chat","n":{{n}}}"""));

    private static long SeqOf(OutboundFrame frame) => JsonDocument.Parse(frame.Payload.ToArray()).RootElement.GetProperty("seq").GetInt64();

    private static long NOf(OutboundFrame frame) => JsonDocument.Parse(frame.Payload.ToArray()).RootElement.GetProperty("n").GetInt64();

    private static StreamHistory WithMessages(int count, string epoch = "ep1")
    {
        var stream = new StreamHistory(epoch);
        for (var i = 1; i <= count; i++)
            stream.Append(Chat(i), null, default, false, null, 0, now: i, expiresAt: Forever);
        return stream;
    }

    [Fact]
    public void Messages_are_numbered_from_1_and_carry_their_seq()
    {
        var stream = new StreamHistory("ep1");
        Assert.Equal(new StreamPosition("ep1", 0), stream.Position);
        var first = stream.Append(Chat(1), null, default, false, null, 0, now: 10, expiresAt: Forever);
        var second = stream.Append(Chat(2), null, default, false, null, 0, now: 20, expiresAt: Forever);
        Assert.Equal((1L, 2L), (first.Seq, second.Seq));
        Assert.Equal((1L, 2L), (first.Frame.Seq, second.Frame.Seq));
        Assert.Equal((1L, 2L), (SeqOf(first.Frame), SeqOf(second.Frame)));
        Assert.Equal(new StreamPosition("ep1", 2), stream.Position);
        Assert.Equal((2, 20L), (stream.Count, stream.LastAppendAt));
        Assert.Equal(first.Cost + second.Cost, stream.Bytes);
    }

    [Fact]
    public void Trim_drops_the_oldest_beyond_the_size_and_keeps_the_numbering()
    {
        var stream = WithMessages(5);
        var before = stream.Bytes;
        var (freed, dropped) = stream.Trim(size: 3, now: 0);
        Assert.Equal(2, dropped);
        Assert.Equal(before - freed, stream.Bytes);
        Assert.Equal(3, stream.Count);
        Assert.Equal([3L, 4L, 5L], stream.Since(0).Select(e => e.Seq));
        Assert.Equal(5, stream.LastSeq);
        Assert.Equal(6, stream.Append(Chat(6), null, default, false, null, 0, now: 6, expiresAt: Forever).Seq);
    }

    [Fact]
    public void Trim_drops_what_expired_by_now_and_nothing_younger()
    {
        var stream = new StreamHistory("ep1");
        stream.Append(Chat(1), null, default, false, null, 0, now: 0, expiresAt: 100);
        stream.Append(Chat(2), null, default, false, null, 0, now: 50, expiresAt: 150);
        stream.Append(Chat(3), null, default, false, null, 0, now: 90, expiresAt: 190);

        Assert.Equal(0, stream.Trim(size: 10, now: 99).Messages);
        Assert.Equal(1, stream.Trim(size: 10, now: 100).Messages); // expiresAt <= now
        Assert.Equal([2L, 3L], stream.Since(0).Select(e => e.Seq));
        Assert.Equal(2, stream.Trim(size: 10, now: 1_000).Messages);
        Assert.Equal(0, stream.Count);
        Assert.Equal(0, stream.Bytes);
        Assert.Equal(3, stream.LastSeq);
    }

    [Fact]
    public void After_a_kept_position_of_the_same_epoch_gives_the_later_messages_in_order()
    {
        var stream = WithMessages(5);
        var after = stream.After(new StreamPosition("ep1", 2));
        Assert.NotNull(after);
        Assert.Equal([3L, 4L, 5L], after.Select(SeqOf));
        Assert.Equal([3L, 4L, 5L], after.Select(NOf));
        Assert.Equal([1L, 2L, 3L, 4L, 5L], stream.After(new StreamPosition("ep1", 0))!.Select(SeqOf));
    }

    [Fact]
    public void After_the_last_position_is_empty()
    {
        Assert.Empty(WithMessages(3).After(new StreamPosition("ep1", 3))!);
        Assert.Empty(new StreamHistory("ep1").After(new StreamPosition("ep1", 0))!);
    }

    [Fact]
    public void After_another_epoch_or_past_the_end_is_not_recoverable()
    {
        var stream = WithMessages(3);
        Assert.Null(stream.After(new StreamPosition("other", 1)));
        Assert.Null(stream.After(new StreamPosition("ep1", 4)));
    }

    [Fact]
    public void After_a_position_older_than_the_kept_history_is_not_recoverable()
    {
        var stream = WithMessages(5);
        stream.Trim(size: 2, now: 0); // keeps 4 and 5
        Assert.Null(stream.After(new StreamPosition("ep1", 0)));
        Assert.Null(stream.After(new StreamPosition("ep1", 2)));
        Assert.Equal([4L, 5L], stream.After(new StreamPosition("ep1", 3))!.Select(SeqOf));
        Assert.Equal([5L], stream.After(new StreamPosition("ep1", 4))!.Select(SeqOf));
    }

    [Fact]
    public void After_everything_expired_only_the_last_position_is_recoverable()
    {
        var stream = new StreamHistory("ep1");
        stream.Append(Chat(1), null, default, false, null, 0, now: 0, expiresAt: 10);
        stream.Append(Chat(2), null, default, false, null, 0, now: 0, expiresAt: 10);
        stream.Trim(size: 10, now: 10);
        Assert.Null(stream.After(new StreamPosition("ep1", 1)));
        Assert.Empty(stream.After(new StreamPosition("ep1", 2))!);
    }

    [Fact]
    public void Find_recognises_a_message_by_its_sender_and_id()
    {
        var stream = new StreamHistory("ep1");
        var sent = stream.Append(Chat(1), "alice", "\"m1\""u8.ToArray(), false, null, 0, now: 0, expiresAt: Forever);
        Assert.Same(sent, stream.Find("alice", "\"m1\""u8.ToArray(), null, 0));
        Assert.Null(stream.Find("bob", "\"m1\""u8.ToArray(), null, 0));
        Assert.Null(stream.Find("alice", "\"m2\""u8.ToArray(), null, 0));
        Assert.Null(stream.Find(null, "\"m1\""u8.ToArray(), null, 0));
        Assert.Null(stream.Find("alice", default, null, 0));
    }

    [Fact]
    public void Find_recognises_another_copy_of_a_relayed_message_by_its_stamp()
    {
        var stream = new StreamHistory("ep1");
        var relay = ActorRefs.Nobody;
        var relayed = stream.Append(Chat(1), null, default, false, relay, 41, now: 0, expiresAt: Forever);
        Assert.Same(relayed, stream.Find(null, default, relay, 41));
        Assert.Null(stream.Find(null, default, relay, 42));
        Assert.Null(stream.Find(null, default, null, 41));
    }

    [Fact]
    public void Trimmed_messages_are_no_longer_recognised()
    {
        var stream = new StreamHistory("ep1");
        stream.Append(Chat(1), "alice", "1"u8.ToArray(), false, ActorRefs.Nobody, 1, now: 0, expiresAt: Forever);
        var kept = stream.Append(Chat(2), "alice", "2"u8.ToArray(), false, ActorRefs.Nobody, 2, now: 0, expiresAt: Forever);
        stream.Trim(size: 1, now: 0);
        Assert.Null(stream.Find("alice", "1"u8.ToArray(), null, 0));
        Assert.Null(stream.Find(null, default, ActorRefs.Nobody, 1));
        Assert.Same(kept, stream.Find("alice", "2"u8.ToArray(), null, 0));
        Assert.Same(kept, stream.Find(null, default, ActorRefs.Nobody, 2));
    }

    [Fact]
    public void Confirm_is_cumulative_and_returns_only_newly_covered_messages_that_asked_for_a_receipt()
    {
        var stream = new StreamHistory("ep1");
        for (var i = 1; i <= 5; i++)
            stream.Append(Chat(i), "alice", Encoding.UTF8.GetBytes(i.ToString()), wantsReceipt: i != 2, null, 0, now: 0, expiresAt: Forever);

        Assert.Equal([1L, 3L], stream.Confirm(3).Select(e => e.Seq));
        Assert.Equal(3, stream.DeliveredSeq);
        Assert.Empty(stream.Confirm(2)); // a smaller number changes nothing
        Assert.Empty(stream.Confirm(3));
        Assert.Equal(3, stream.DeliveredSeq);
        Assert.Equal([4L, 5L], stream.Confirm(99).Select(e => e.Seq)); // beyond the last counts as the last
        Assert.Equal(5, stream.DeliveredSeq);
        Assert.Empty(stream.Confirm(100));

        Assert.Equal(6, stream.Append(Chat(6), "alice", "6"u8.ToArray(), true, null, 0, now: 0, expiresAt: Forever).Seq);
        Assert.Equal([6L], stream.Confirm(6).Select(e => e.Seq));
    }

    [Fact]
    public void Confirm_without_receipts_asked_moves_the_position_only()
    {
        var stream = WithMessages(3);
        Assert.Empty(stream.Confirm(2));
        Assert.Equal(2, stream.DeliveredSeq);
        Assert.Empty(new StreamHistory("ep1").Confirm(5));
    }
}

public sealed class StreamPositionTests
{
    [Theory]
    [InlineData("ab12:0", "ab12", 0L)]
    [InlineData("ep:42", "ep", 42L)]
    [InlineData("x:007", "x", 7L)]
    [InlineData("abcdefghijklmnopqrstuvwxyz012345:9223372036854775807", "abcdefghijklmnopqrstuvwxyz012345", long.MaxValue)]
    public void Parse_reads_epoch_and_seq(string text, string epoch, long seq)
    {
        Assert.Equal(new StreamPosition(epoch, seq), StreamPosition.Parse(text));
    }

    [Theory]
    [InlineData("")]
    [InlineData("ep")]
    [InlineData("42")]
    [InlineData(":5")]
    [InlineData("ep:")]
    [InlineData("ep:-1")]
    [InlineData("ep:+1")]
    [InlineData("ep: 1")]
    [InlineData("ep:1.5")]
    [InlineData("ep:9223372036854775808")]
    [InlineData("EP:1")]
    [InlineData("e-p:1")]
    [InlineData("e p:1")]
    [InlineData("ép:1")]
    [InlineData("a:b:1")]
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456:1")]
    public void Parse_refuses_anything_else(string text) => Assert.Null(StreamPosition.Parse(text));

    [Fact]
    public void New_epochs_are_valid_and_differ()
    {
        var epochs = Enumerable.Range(0, 20).Select(_ => StreamPosition.NewEpoch()).ToList();
        Assert.All(epochs, e => Assert.True(StreamPosition.IsEpoch(e)));
        Assert.True(epochs.Distinct().Count() > 1);
        Assert.Equal(new StreamPosition(epochs[0], 3), StreamPosition.Parse(new StreamPosition(epochs[0], 3).ToString()));
    }
}

public sealed class KeptStreamsTests
{
    private static readonly HistoryOptions Options = new(Size: 10, Ttl: TimeSpan.FromHours(1));
    private const long BudgetBytes = 1024 * 1024;

    private static StreamHistory.Entry Keep(KeptStreams streams, StreamHistory stream, UserProtocol.SendToUser send) =>
        streams.Append(stream, send.Frame, send.Sender, send.MessageId, send.WantsReceipt, send.Stamp);

    private static UserProtocol.SendToUser Send(string user, int bytes = 10) =>
        new(user, OutboundFrame.Text(Encoding.UTF8.GetBytes($$"""{"type":"chat","data":"{{new string('x', bytes)}}"}""")));

    [Fact]
    public void For_creates_a_stream_once()
    {
        var streams = new KeptStreams(Options, new HistoryBudget(BudgetBytes));
        var (first, created) = streams.For("ann");
        Assert.True(created);
        var (again, createdAgain) = streams.For("ann");
        Assert.False(createdAgain);
        Assert.Same(first, again);
        Assert.Same(first, streams.Of("ann"));
        Assert.Null(streams.Of("ben"));
        Assert.True(StreamPosition.IsEpoch(first.Epoch));
    }

    [Fact]
    public void The_budget_counts_what_is_kept_and_returns_to_zero_after_release()
    {
        var budget = new HistoryBudget(BudgetBytes);
        var streams = new KeptStreams(Options with { Size = 2 }, budget);
        var (ann, _) = streams.For("ann");
        var (ben, _) = streams.For("ben");
        for (var i = 0; i < 3; i++)
            Keep(streams, ann, Send("ann"));
        Keep(streams, ben, Send("ben"));

        Assert.Equal(2, ann.Count); // the size trimmed the first
        Assert.Equal(ann.Bytes + ben.Bytes, budget.Bytes);
        Assert.Equal(3, budget.Messages);

        streams.Release();
        Assert.Equal((0L, 0L), (budget.Bytes, budget.Messages));
        Assert.Equal(0, streams.Count);
    }

    [Fact]
    public void Two_entities_share_one_budget()
    {
        var budget = new HistoryBudget(BudgetBytes);
        var (one, two) = (new KeptStreams(Options, budget), new KeptStreams(Options, budget));
        Keep(one, one.For("ann").Stream, Send("ann"));
        Keep(two, two.For("ben").Stream, Send("ben"));
        Assert.Equal(one.Of("ann")!.Bytes + two.Of("ben")!.Bytes, budget.Bytes);
        one.Release();
        Assert.Equal(two.Of("ben")!.Bytes, budget.Bytes);
        two.Release();
        Assert.Equal((0L, 0L), (budget.Bytes, budget.Messages));
    }

    [Fact]
    public void Over_the_budget_the_stalest_other_stream_is_evicted_first()
    {
        // Three messages of ~10 KB each; the budget holds two.
        var budget = new HistoryBudget(maxBytes: 15_000);
        var streams = new KeptStreams(Options, budget);
        var (stale, _) = streams.For("stale");
        Keep(streams, stale, Send("stale", 10_000));
        var (fresh, _) = streams.For("fresh");
        Keep(streams, fresh, Send("fresh", 10_000));
        Assert.True(budget.IsOver);

        var (writer, _) = streams.For("writer");
        Keep(streams, writer, Send("writer", 100));

        Assert.Null(streams.Of("stale"));
        Assert.Same(fresh, streams.Of("fresh"));
        Assert.Same(writer, streams.Of("writer"));
        Assert.Equal(fresh.Bytes + writer.Bytes, budget.Bytes);
        Assert.Equal(2, budget.Messages);
        Assert.True(streams.For("stale").Created); // a stream evicted starts again
    }

    [Fact]
    public void The_stream_being_written_is_never_evicted()
    {
        var budget = new HistoryBudget(maxBytes: 5_000);
        var streams = new KeptStreams(Options, budget);
        var (only, _) = streams.For("only");
        Keep(streams, only, Send("only", 10_000));
        Keep(streams, only, Send("only", 10));
        Assert.Same(only, streams.Of("only"));
        Assert.Equal(2, only.Count);
        Assert.Equal(only.Bytes, budget.Bytes);
    }

    [Fact]
    public void Sweep_removes_the_empty_streams_of_users_without_connections_only()
    {
        var budget = new HistoryBudget(BudgetBytes);
        var streams = new KeptStreams(Options, budget);
        streams.For("connected-empty");
        streams.For("gone-empty");
        var (kept, _) = streams.For("gone-with-messages");
        Keep(streams, kept, Send("gone-with-messages"));

        streams.Sweep(user => user == "connected-empty");

        Assert.NotNull(streams.Of("connected-empty"));
        Assert.Null(streams.Of("gone-empty"));
        Assert.Same(kept, streams.Of("gone-with-messages"));
        Assert.Equal(2, streams.Count);
        Assert.Equal(kept.Bytes, budget.Bytes);
    }
}

public sealed class HistoryOptionsTests
{
    [Theory]
    [InlineData(300, 30_000)] // a quarter of the TTL, at most 30 s
    [InlineData(40, 10_000)]
    [InlineData(0.5, 250)]    // at least 250 ms
    public void Expired_messages_are_swept_a_quarter_TTL_apart_within_bounds(double ttlSeconds, int sweepMs) =>
        Assert.Equal(TimeSpan.FromMilliseconds(sweepMs), new HistoryOptions(10, TimeSpan.FromSeconds(ttlSeconds)).SweepInterval);

    [Fact]
    public void A_size_of_0_turns_history_off()
    {
        Assert.False(new HistoryOptions(0, TimeSpan.FromSeconds(60)).IsOn);
        Assert.True(new HistoryOptions(1, TimeSpan.FromSeconds(60)).IsOn);
    }
}

using System.Collections.Concurrent;
using System.Text.Json;
using Akka.Actor;
using Akka.Hosting;
using Switchboard.Actors.Events;
using static Switchboard.Actors.Events.EventsProtocol;

namespace Switchboard.Actors.Tests;

/// <summary>The node's <see cref="EventSender"/> over the memory store and a transport the spec answers for.</summary>
public sealed class EventSenderSpecs : Akka.Hosting.TestKit.TestKit
{
    // Short waits, so that a spec about retries does not sit through seconds of backoff; the logic is the same.
    private static readonly EventsOptions Quick = EventsOptions.Default with
    {
        GatherFor = TimeSpan.FromMilliseconds(20), FirstRetry = TimeSpan.FromMilliseconds(20), MaxRetry = TimeSpan.FromMilliseconds(80),
    };

    private static readonly NodeRun Run = new("127.0.0.1:2551", 0xabc);

    private readonly EventCounters _counters = new();

    protected override void ConfigureAkka(AkkaConfigurationBuilder builder, IServiceProvider provider)
    {
    }

    private IActorRef Start(ScriptedTransport transport, EventsOptions? options = null) =>
        Sys.ActorOf(EventSender.PropsFor(options ?? Quick, _ => new MemoryEventStore(), transport, _counters, TimeProvider.System, Run));

    private static Connected Opened(int i) => new($"u{i}", $"c{i}", null, DateTimeOffset.UtcNow);

    [Fact]
    public async Task Events_go_in_batches_of_at_most_BatchSize_one_at_a_time_in_the_order_they_came_with_unique_ids()
    {
        var transport = new ScriptedTransport();
        var sender = Start(transport);
        for (var i = 0; i < 250; i++)
            sender.Tell(Opened(i));
        await transport.UntilAsync(t => t.Events.Count == 250);

        Assert.All(transport.Batches, b => Assert.InRange(b.Count, 1, EventsOptions.DefaultBatchSize));
        Assert.Equal(Enumerable.Range(0, 250).Select(i => $"c{i}"), transport.Events.Select(e => e.GetProperty("connection_id").GetString()));
        Assert.Equal(250, transport.Events.Select(e => e.GetProperty("id").GetString()).Distinct().Count());
        Assert.All(transport.Events, e => Assert.StartsWith(Run.Key + "/", e.GetProperty("id").GetString()));
        Assert.Equal(1, transport.MostInFlight);
        await AwaitAssertAsync(() => Assert.Equal((250L, 0L), (_counters.Sent, _counters.Pending)));
    }

    [Fact]
    public async Task A_failed_batch_is_sent_again_with_the_same_events_until_the_application_takes_it()
    {
        var transport = new ScriptedTransport("it answered 500", "it answered 503", "no answer within 10 s");
        var sender = Start(transport);
        for (var i = 0; i < 3; i++)
            sender.Tell(Opened(i));
        await transport.UntilAsync(t => t.Events.Count == 3);

        Assert.Equal(4, transport.Attempts.Count);
        Assert.All(transport.Attempts, a => Assert.Equal(transport.Attempts[0], a));
        Assert.Equal(3, _counters.Retried);
        await AwaitAssertAsync(() => Assert.Equal((3L, 0L), (_counters.Sent, _counters.Pending)));
    }

    [Fact]
    public async Task Past_MaxPending_the_oldest_are_dropped_and_the_next_batch_begins_with_their_count()
    {
        var transport = new ScriptedTransport { Failing = true };
        var sender = Start(transport, Quick with { MaxPending = 5 });
        for (var i = 0; i < 12; i++)
            sender.Tell(Opened(i));
        await AwaitAssertAsync(() => Assert.Equal((7L, 5L), (_counters.Dropped, _counters.Pending)));
        transport.Failing = false;
        await transport.UntilAsync(t => t.Events.Count == 6);

        var first = transport.Batches[0];
        Assert.Equal("events_dropped", first[0].GetProperty("type").GetString());
        Assert.Equal(7, first[0].GetProperty("data").GetProperty("count").GetInt64());
        Assert.Equal(["c7", "c8", "c9", "c10", "c11"], first.Skip(1).Select(e => e.GetProperty("connection_id").GetString()));

        // Reported once: later batches have no report.
        sender.Tell(Opened(12));
        await transport.UntilAsync(t => t.Events.Count == 7);
        Assert.Single(transport.Events, e => e.GetProperty("type").GetString() == "events_dropped");
    }

    [Fact]
    public async Task A_report_of_drops_sent_again_keeps_its_id_and_count_and_later_drops_go_in_the_next()
    {
        var transport = new ScriptedTransport { Failing = true };
        var sender = Start(transport, Quick with { MaxPending = 2, BatchSize = 2 });
        for (var i = 0; i < 4; i++)
            sender.Tell(Opened(i));
        await AwaitAssertAsync(() => Assert.Equal(2L, _counters.Dropped));
        await transport.UntilAsync(t => t.Attempts.Count >= 2);
        sender.Tell(Opened(4));
        await AwaitAssertAsync(() => Assert.Equal(3L, _counters.Dropped));
        await transport.UntilAsync(t => t.Attempts.Count >= 4);
        transport.Failing = false;
        await transport.UntilAsync(t => t.Events.Count(e => e.GetProperty("type").GetString() == "events_dropped") == 2);

        // Every attempt began with a report, and a report's id always came with the same count.
        var attempted = transport.Attempts.Select(a => JsonDocument.Parse(a).RootElement.GetProperty("events")[0]).ToList();
        Assert.All(attempted, e => Assert.Equal("events_dropped", e.GetProperty("type").GetString()));
        Assert.All(attempted.GroupBy(e => e.GetProperty("id").GetString()),
            g => Assert.Single(g.Select(e => e.GetProperty("data").GetProperty("count").GetInt64()).Distinct()));
        var reports = transport.Events.Where(e => e.GetProperty("type").GetString() == "events_dropped").ToList();
        Assert.Equal([2L, 1L], reports.Select(r => r.GetProperty("data").GetProperty("count").GetInt64()));
        Assert.Equal(["c3", "c4"], transport.Events.Where(e => e.TryGetProperty("connection_id", out _))
            .Select(e => e.GetProperty("connection_id").GetString()));
    }

    [Fact]
    public void The_backoff_starts_at_a_second_and_doubles_up_to_a_minute_and_starts_again_after_a_success()
    {
        var backoff = new RetryBackoff(EventsOptions.Default.FirstRetry, EventsOptions.Default.MaxRetry);
        Assert.Equal([1, 2, 4, 8, 16, 32, 60, 60], Enumerable.Range(0, 8).Select(_ => backoff.Next().TotalSeconds));
        backoff.Reset();
        Assert.Equal(1, backoff.Next().TotalSeconds);
    }

    /// <summary>Answers each batch with the next scripted failure, then takes them (or fails while <see cref="Failing"/>).</summary>
    private sealed class ScriptedTransport(params string[] failures) : IEventTransport
    {
        private readonly ConcurrentQueue<string> _failures = new(failures);
        private int _inFlight;

        public volatile bool Failing;

        public List<string> Attempts { get; } = [];
        public List<List<JsonElement>> Batches { get; } = [];
        public List<JsonElement> Events => Batches.SelectMany(b => b).ToList();
        public int MostInFlight { get; private set; }

        public async Task<string?> SendAsync(ReadOnlyMemory<byte> body)
        {
            var inFlight = Interlocked.Increment(ref _inFlight);
            await Task.Yield();
            lock (this)
            {
                MostInFlight = Math.Max(MostInFlight, inFlight);
                Attempts.Add(System.Text.Encoding.UTF8.GetString(body.Span));
            }
            try
            {
                if (Failing)
                    return "it answered 500";
                if (_failures.TryDequeue(out var failure))
                    return failure;
                var events = JsonDocument.Parse(body).RootElement.GetProperty("events").EnumerateArray().Select(e => e.Clone()).ToList();
                lock (this)
                    Batches.Add(events);
                return null;
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
            }
        }

        public async Task UntilAsync(Func<ScriptedTransport, bool> done)
        {
            var giveUp = DateTime.UtcNow + TimeSpan.FromSeconds(15);
            while (true)
            {
                lock (this)
                {
                    if (done(this))
                        return;
                }
                if (DateTime.UtcNow > giveUp)
                    throw new TimeoutException("the transport never saw what the spec waits for");
                await Task.Delay(10);
            }
        }
    }
}

using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using Akka.Hosting;
using static Switchboard.Actors.Events.EventsProtocol;

namespace Switchboard.Actors.Events;

/// <summary>
/// The node's lifecycle events, from the moment they happen until the application has taken them (PROTOCOL.md "Lifecycle
/// events"). Each event gets its id when it arrives here and is encoded once; it waits in the <see cref="IEventStore"/>, in
/// the order it came, which is each connection's order (its partition tells this actor alone). One batch is in flight at a
/// time: at most <see cref="EventsOptions.BatchSize"/> events, gathered for at most <see cref="EventsOptions.GatherFor"/>;
/// a batch that fails is made again from the oldest waiting events after a backoff, until the application answers 2xx.
/// When the cluster removes a node, the oldest member left sends <c>node_down</c>, and a store that outlives its node
/// lets one survivor take over what the lost node left.
/// </summary>
public sealed class EventSender : ReceiveActor, IWithTimers
{
    public const string Name = "lifecycle-events";

    /// <summary>How long a survivor waits before claiming a lost node's events again when the store did not answer.</summary>
    private static readonly TimeSpan AdoptRetry = TimeSpan.FromSeconds(5);

    private readonly EventsOptions _options;
    private readonly IEventStore _store;
    private readonly IEventTransport _transport;
    private readonly EventCounters _counters;
    private readonly TimeProvider _clock;
    private readonly NodeRun _run;
    private readonly RetryBackoff _backoff;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly List<StoredEvent> _unwritten = [];
    private readonly List<IActorRef> _drainers = [];
    private long _droppedUnwritten;
    private long _made;
    private bool _writing;
    private long _pending;
    private Phase _phase = Phase.Idle;
    private (byte[] Json, long Count)? _notice;
    private bool _failing;

    public EventSender(EventsOptions options, Func<NodeRun, IEventStore> store, IEventTransport transport, EventCounters counters,
        TimeProvider clock, NodeRun? run)
    {
        _options = options;
        _run = run ?? NodeRun.Of(Cluster.Get(Context.System).SelfUniqueAddress);
        _store = store(_run);
        _transport = transport;
        _counters = counters;
        _clock = clock;
        _backoff = new RetryBackoff(options.FirstRetry, options.MaxRetry);

        Receive<IConnectionEvent>(happened => Make(new StoredEvent(EventJson.Of(NextId(), happened, _run.Name),
            happened is Connected c ? new OpenConnection(c.ConnectionId, c.UserId, _run.Name, c.At.ToUnixTimeMilliseconds()) : null,
            happened is Disconnected d ? d.ConnectionId : null)));
        Receive<Written>(OnWritten);
        Receive<WriteFailed>(OnWriteFailed);
        Receive<WriteAgain>(_ => Write());
        Receive<Go>(_ => Peek());
        Receive<Peeked>(Send);
        Receive<Sent>(OnSent);
        Receive<Removed>(removed =>
        {
            Pending(removed.Pending);
            _phase = Phase.Idle;
            Schedule();
        });
        Receive<StoreFailed>(failed =>
        {
            _log.Warning("The events' store failed ({Failure}); trying again", failed.Cause.Message);
            Wait();
        });
        Receive<ClusterEvent.MemberRemoved>(Lost);
        Receive<ClusterEvent.CurrentClusterState>(_ => { });
        Receive<Adopt>(adopt => Claim(adopt.Lost));
        Receive<Adopted>(OnAdopted);
        Receive<Drain>(_ =>
        {
            _drainers.Add(Sender);
            AnswerDrainers();
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    // A restart would forget the events waiting in memory and start the ids again: a handler that throws is logged and
    // the sender goes on, as Resume would.
    protected override bool AroundReceive(Receive receive, object message)
    {
        try
        {
            return base.AroundReceive(receive, message);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _log.Error(e, "The lifecycle events' sender failed on {Message}; it keeps its events and goes on", message.GetType().Name);
            return true;
        }
    }

    protected override void PreStart()
    {
        if (((ExtendedActorSystem)Context.System).Provider is ClusterActorRefProvider)
            Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot,
                typeof(ClusterEvent.MemberRemoved));
    }

    protected override void PostStop()
    {
        if (((ExtendedActorSystem)Context.System).Provider is ClusterActorRefProvider)
            Cluster.Get(Context.System).Unsubscribe(Self);
    }

    private string NextId() => $"{_run.Key}/{++_made:x}";

    private void Make(StoredEvent made)
    {
        _unwritten.Add(made);
        // Only while the store does not take them (Redis down): the bound holds here too, oldest first.
        if (_unwritten.Count > _options.MaxPending)
        {
            _unwritten.RemoveAt(0);
            _droppedUnwritten++;
        }
        Write();
    }

    // One write at a time keeps the events in their order; those made meanwhile go together in the next.
    private void Write()
    {
        if (_writing || (_unwritten.Count == 0 && _droppedUnwritten == 0))
            return;
        var events = _unwritten.ToArray();
        var dropped = _droppedUnwritten;
        _unwritten.Clear();
        _droppedUnwritten = 0;
        _writing = true;
        _store.AppendAsync(events, _options.MaxPending, dropped)
            .PipeTo(Self, success: appended => new Written(appended), failure: e => new WriteFailed(events, dropped, e));
    }

    private void OnWritten(Written written)
    {
        _writing = false;
        _counters.RecordDropped(written.Appended.Dropped);
        Pending(written.Appended.Pending);
        Write();
        Schedule();
    }

    private void OnWriteFailed(WriteFailed failed)
    {
        _writing = false;
        _log.Warning("The events' store did not take {Count} events ({Failure}); trying again in {Wait}", failed.Events.Length,
            failed.Cause.Message, _options.FirstRetry);
        _unwritten.InsertRange(0, failed.Events);
        _droppedUnwritten += failed.Dropped;
        var excess = _unwritten.Count - _options.MaxPending;
        if (excess > 0)
        {
            _unwritten.RemoveRange(0, excess);
            _droppedUnwritten += excess;
        }
        Pending(_pending);
        Timers.StartSingleTimer(WriteAgain.Instance, WriteAgain.Instance, _options.FirstRetry);
    }

    // A full batch goes at once; fewer events wait up to GatherFor for others.
    private void Schedule()
    {
        AnswerDrainers();
        if (_phase != Phase.Idle || (_pending == 0 && _notice is null))
            return;
        if (_pending >= _options.BatchSize)
        {
            Peek();
            return;
        }
        _phase = Phase.Gathering;
        Timers.StartSingleTimer(Go.Instance, Go.Instance, _options.GatherFor);
    }

    private void Peek()
    {
        _phase = Phase.Sending;
        _store.PeekAsync(_options.BatchSize).PipeTo(Self, success: p => new Peeked(p), failure: e => new StoreFailed(e));
    }

    private void Send(Peeked peeked)
    {
        var pending = peeked.Pending;
        // The report of drops is made once, and sent again as it was until taken; drops after it go in the next.
        if (pending.Unreported > 0 && _notice is null)
            _notice = (EventJson.Dropped(NextId(), _run.Name, pending.Unreported, _clock.GetUtcNow()), pending.Unreported);
        var events = pending.Events.Take(_notice is null ? _options.BatchSize : _options.BatchSize - 1).ToList();
        if (events.Count == 0 && _notice is null)
        {
            Pending(pending.Pending);
            _phase = Phase.Idle;
            AnswerDrainers();
            return;
        }
        var body = EventJson.Batch(_notice is { } notice ? events.Prepend(notice.Json) : events);
        var sent = new Sent(null, pending.Head + events.Count, _notice?.Count ?? 0, events.Count + (_notice is null ? 0 : 1));
        _transport.SendAsync(body).PipeTo(Self, success: failure => sent with { Failure = failure },
            failure: e => sent with { Failure = e.Message });
    }

    private void OnSent(Sent sent)
    {
        if (sent.Failure is { } failure)
        {
            _counters.RecordRetried();
            if (!_failing)
                _log.Warning("The application did not take a batch of {Count} events ({Failure}); sending it again until it does",
                    sent.Count, failure);
            _failing = true;
            Wait();
            // A stopping node does not wait for an application that is down.
            _drainers.ForEach(d => d.Tell(Drained.Instance));
            _drainers.Clear();
            return;
        }
        if (_failing)
            _log.Info("The application takes events again");
        _failing = false;
        _backoff.Reset();
        _counters.RecordSent(sent.Count);
        _notice = null;
        _store.RemoveAsync(sent.Until, sent.Reported).PipeTo(Self, success: left => new Removed(left), failure: e => new StoreFailed(e));
    }

    private void Wait()
    {
        _phase = Phase.Waiting;
        Timers.StartSingleTimer(Go.Instance, Go.Instance, _backoff.Next());
    }

    private void Pending(long pending)
    {
        _pending = pending;
        _counters.SetPending(pending + _unwritten.Count);
    }

    private void AnswerDrainers()
    {
        if (_drainers.Count == 0 || _writing || _unwritten.Count > 0 || _pending > 0 || _notice is not null)
            return;
        _drainers.ForEach(d => d.Tell(Drained.Instance));
        _drainers.Clear();
    }

    private void Lost(ClusterEvent.MemberRemoved removed)
    {
        var cluster = Cluster.Get(Context.System);
        if (removed.Member.UniqueAddress.Equals(cluster.SelfUniqueAddress))
            return;
        var lost = NodeRun.Of(removed.Member.UniqueAddress);
        // The oldest member that is Up speaks for the cluster, so that the application hears of the node once.
        var oldest = cluster.State.Members
            .Where(m => m.Status == MemberStatus.Up && !m.UniqueAddress.Equals(removed.Member.UniqueAddress))
            .Aggregate((Member?)null, (o, m) => o is null || m.IsOlderThan(o) ? m : o);
        if (oldest?.UniqueAddress.Equals(cluster.SelfUniqueAddress) == true)
            Make(new StoredEvent(EventJson.NodeDown(NextId(), lost.Name, _clock.GetUtcNow())));
        Claim(lost);
    }

    private void Claim(NodeRun lost) =>
        _store.AdoptAsync(lost, _options.MaxPending).PipeTo(Self, success: adopted => new Adopted(lost, adopted, null),
            failure: e => new Adopted(lost, null, e));

    private void OnAdopted(Adopted adopted)
    {
        if (adopted.Failure is { } failure)
        {
            _log.Warning("Could not claim the events of lost node {Node} ({Failure}); trying again in {Wait}", adopted.Lost.Key,
                failure.Message, AdoptRetry);
            Timers.StartSingleTimer(adopted.Lost, new Adopt(adopted.Lost), AdoptRetry);
            return;
        }
        if (adopted.Run is not { } run)
            return;
        _log.Info("Took over lost node {Node}'s events: {Events} waiting, and {Connections} connections it held, now node_lost",
            adopted.Lost.Key, run.Events, run.Connections);
        _counters.RecordDropped(run.Dropped);
        Pending(run.Pending);
        Schedule();
    }

    public static Props PropsFor(EventsOptions options, Func<NodeRun, IEventStore> store, IEventTransport transport,
        EventCounters counters, TimeProvider clock, NodeRun? run = null) =>
        Props.Create(() => new EventSender(options, store, transport, counters, clock, run));

    private enum Phase
    {
        Idle,
        Gathering,
        Sending,
        Waiting,
    }

    private sealed record Written(EventsAppended Appended);

    private sealed record WriteFailed(StoredEvent[] Events, long Dropped, Exception Cause);

    private sealed class WriteAgain
    {
        public static readonly WriteAgain Instance = new();
    }

    private sealed class Go
    {
        public static readonly Go Instance = new();
    }

    private sealed record Peeked(PendingEvents Pending);

    /// <param name="Until">The store's position after the batch's events; <paramref name="Reported"/> the drops its report counted.</param>
    private sealed record Sent(string? Failure, long Until, long Reported, int Count);

    private sealed record Removed(long Pending);

    private sealed record StoreFailed(Exception Cause);

    private sealed record Adopt(NodeRun Lost);

    private sealed record Adopted(NodeRun Lost, AdoptedRun? Run, Exception? Failure);
}

public static class EventSenderHostingExtensions
{
    /// <summary>How long a stopping node waits for its last events to reach the application.</summary>
    public static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(4);

    /// <summary>
    /// Starts the node's <see cref="EventSender"/>, registered under its type; a stopping node gives it up to
    /// <see cref="DrainTimeout"/> to send what waits (after its connections have closed) before the cluster is left.
    /// </summary>
    public static AkkaConfigurationBuilder AddEventSender(this AkkaConfigurationBuilder builder, EventsOptions options,
        Func<NodeRun, IEventStore> store, IEventTransport transport, EventCounters counters, TimeProvider clock) =>
        builder.WithActors((system, registry) =>
        {
            var sender = system.ActorOf(EventSender.PropsFor(options, store, transport, counters, clock), EventSender.Name);
            registry.Register<EventSender>(sender);
            CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseBeforeClusterShutdown, "drain-lifecycle-events", async () =>
            {
                try
                {
                    await sender.Ask<Drained>(Drain.Instance, DrainTimeout);
                }
                catch (AskTimeoutException)
                {
                    // What still waits is lost with a memory store; a Redis store keeps it for a survivor.
                }
                return Akka.Done.Instance;
            });
        });
}

using Switchboard.Streams.Framing;

namespace Switchboard.Streams.Outbound;

public enum OfferResult
{
    Enqueued,

    /// <summary>The socket has stalled and the buffer is full; the message waits up to the send timeout for room.</summary>
    Waiting,
    Dropped,

    /// <summary>The connection is closing (perhaps because of this offer) and takes no more messages.</summary>
    Closed,
}

/// <summary>
/// A connection's outbound buffer. Any thread may offer; the connection's <see cref="OutboundSide"/> drains
/// it in batches into the socket's pipe. The bound applies only behind a stalled socket
/// (<see cref="StallClock"/>): until then every message is taken and goes on to the pipe as soon as the
/// writer runs, so a client that keeps up loses nothing, however large the burst. Once the socket has
/// stalled, a message that finds MessageBufferSize waiting meets the overflow policy. Control frames
/// (<see cref="ControlLane"/>) bypass the bound and go out first.
/// </summary>
public sealed class Outbox
{
    private readonly object _gate = new();
    private readonly int _capacity;
    private readonly OverflowPolicy _policy;
    private readonly long _sendTimeoutMs;
    private readonly ConnectionCounters _counters;
    private readonly Queue<OutboundFrame> _data = new();
    private readonly ControlLane _control;
    private readonly WebSocketConnection? _connection;
    private StallClock _stall;
    private Queue<(OutboundFrame Frame, long Deadline)>? _overflow;
    private OutboundFrame? _closeFrame;
    private bool _closing;
    private bool _drainedClose;
    private bool _consumerWaiting;
    private IOutboxReader? _reader;

    /// <param name="stallGrace">How long the socket's pipe must have been full before the bound applies.</param>
    /// <param name="connection">Told once the close starts, on whichever thread starts it (offer overflow, close, abort).</param>
    public Outbox(int capacity, OverflowPolicy policy, TimeSpan sendTimeout, ConnectionCounters counters, TimeSpan stallGrace,
        WebSocketConnection? connection = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
        _policy = policy;
        _sendTimeoutMs = (long)sendTimeout.TotalMilliseconds;
        _counters = counters;
        _control = new ControlLane(counters);
        _stall = new StallClock(stallGrace);
        _connection = connection;
    }

    /// <summary>Set once the connection starts closing; the close code it sends, or null when aborted.</summary>
    public ushort? CloseCode { get; private set; }

    /// <summary>The reason sent with <see cref="CloseCode"/>.</summary>
    public string? CloseReason { get; private set; }

    /// <summary>Messages waiting for room under a Wait policy.</summary>
    public int Waiting
    {
        get { lock (_gate) return _overflow?.Count ?? 0; }
    }

    /// <summary>Messages queued and not yet written, waiting ones included (the admin API's outbox depth).</summary>
    public int Depth
    {
        get { lock (_gate) return _data.Count + (_overflow?.Count ?? 0); }
    }

    public bool IsClosing
    {
        get { lock (_gate) return _closing; }
    }

    /// <summary>Whether the socket has stalled, so that the bound applies (see <see cref="StallClock"/>).</summary>
    public bool IsStalled
    {
        get { lock (_gate) return _stall.IsStalled(Environment.TickCount64); }
    }

    public OfferResult Offer(OutboundFrame frame)
    {
        IOutboxReader? wake;
        OfferResult result;
        lock (_gate)
        {
            if (_closing)
                return OfferResult.Closed;
            var now = Environment.TickCount64;
            ExpireOverflow(now);
            if (_closing)
            {
                result = OfferResult.Closed;
                wake = TakeWake(force: true);
            }
            else if (_overflow is not { Count: > 0 } && (_data.Count < _capacity || !_stall.IsStalled(now)))
            {
                _data.Enqueue(frame);
                result = OfferResult.Enqueued;
                wake = TakeWake(force: false);
            }
            else if (_policy.Waits() && (_overflow?.Count ?? 0) < _capacity)
            {
                (_overflow ??= new Queue<(OutboundFrame, long)>()).Enqueue((frame, now + _sendTimeoutMs));
                result = OfferResult.Waiting;
                // The first waiting message needs the source to arm its expiry timer.
                wake = _overflow.Count == 1 ? TakeWake(force: true) : null;
            }
            else
            {
                result = Overflow();
                wake = result == OfferResult.Closed ? TakeWake(force: true) : null;
            }
        }
        wake?.OnOutboxReady();
        if (result == OfferResult.Closed)
            _connection?.OnClosing();
        return result;
    }

    /// <summary>Queues a control frame ahead of all data. Never refused while the connection is open.</summary>
    public void SendControl(OutboundFrame frame) => OnControlLane(frame, static (lane, f) =>
    {
        lane.Enqueue(f);
        return true;
    });

    /// <summary>Owes the peer a pong; one not yet sent is replaced by this newer one.</summary>
    public void SendPong(OutboundFrame pong) => OnControlLane(pong, static (lane, f) =>
    {
        lane.OwePong(f);
        return true;
    });

    /// <summary>Queues a protocol ping, unless one still waits to go out.</summary>
    public void SendPing(OutboundFrame ping) => OnControlLane(ping, static (lane, f) => lane.TryQueuePing(f));

    /// <summary>
    /// Starts the close handshake: the close frame is the last frame sent. Returns false when
    /// the connection was already closing.
    /// </summary>
    /// <param name="discardPending">Drop buffered messages instead of sending them first.</param>
    /// <param name="record">
    /// Counts the close before the close frame can reach the peer, so a client that reads the
    /// counters after its close frame arrives sees them.
    /// </param>
    public bool Close(ushort code, string reason, bool discardPending, Action<ConnectionCounters>? record = null)
    {
        IOutboxReader? wake;
        lock (_gate)
        {
            if (_closing)
                return false;
            BeginClose(code, reason, discardPending);
            record?.Invoke(_counters);
            wake = TakeWake(force: true);
        }
        wake?.OnOutboxReady();
        _connection?.OnClosing();
        return true;
    }

    /// <summary>Ends the outbound side at once without a close frame (the peer is gone).</summary>
    public void Abort()
    {
        IOutboxReader? wake;
        lock (_gate)
        {
            if (_closing)
                return;
            _closing = true;
            Discard();
            wake = TakeWake(force: true);
        }
        wake?.OnOutboxReady();
        _connection?.OnClosing();
    }

    /// <summary>The connection has ended: whatever is still queued will never be written.</summary>
    internal void Release()
    {
        lock (_gate)
        {
            _closing = true;
            Discard();
        }
    }

    internal void Attach(IOutboxReader reader)
    {
        lock (_gate) _reader = reader;
    }

    /// <summary>The writer's flush waits: the socket's pipe is full.</summary>
    internal void PipeFilled()
    {
        lock (_gate) _stall.PipeFilled(Environment.TickCount64);
    }

    /// <summary>The writer's flush went through: the socket takes bytes again, and whatever waited for room may go.</summary>
    internal void PipeDrained()
    {
        lock (_gate)
        {
            _stall.PipeDrained(Environment.TickCount64);
            while (_overflow is { Count: > 0 })
                _data.Enqueue(_overflow.Dequeue().Frame);
        }
    }

    /// <summary>The earliest time a waiting message expires, if any waits.</summary>
    internal long? NextDeadline
    {
        get { lock (_gate) return _overflow is { Count: > 0 } ? _overflow.Peek().Deadline : null; }
    }

    /// <summary>
    /// Moves frames into <paramref name="batch"/>: control frames, then data up to
    /// <paramref name="maxBytes"/> (at least one), then the close frame once data is drained.
    /// </summary>
    internal DrainResult Drain(List<OutboundFrame> batch, int maxBytes)
    {
        bool closingNow;
        DrainResult result;
        lock (_gate)
        {
            closingNow = ExpireOverflow(Environment.TickCount64);
            _control.MoveTo(batch);
            var bytes = 0;
            while (_data.Count > 0 && (bytes < maxBytes || batch.Count == 0))
            {
                var frame = _data.Dequeue();
                bytes += frame.Bytes.Length;
                batch.Add(frame);
            }
            while (_overflow is { Count: > 0 } && _data.Count < _capacity)
                _data.Enqueue(_overflow.Dequeue().Frame);
            if (_data.Count == 0)
                _stall.CaughtUp();

            if (_closing && _data.Count == 0 && !_drainedClose)
            {
                _drainedClose = true;
                if (_closeFrame is not null)
                    batch.Add(_closeFrame);
                result = DrainResult.Last;
            }
            else if (batch.Count == 0)
            {
                _consumerWaiting = true;
                result = _drainedClose ? DrainResult.Last : DrainResult.Empty;
            }
            else
            {
                result = DrainResult.Frames;
            }
        }
        if (closingNow)
            _connection?.OnClosing();
        return result;
    }

    /// <summary>Applies the send timeout to waiting messages; true when that starts a close.</summary>
    internal bool ExpireWaiting()
    {
        bool closing;
        lock (_gate) closing = ExpireOverflow(Environment.TickCount64);
        if (closing)
            _connection?.OnClosing();
        return closing;
    }

    private void OnControlLane(OutboundFrame frame, Func<ControlLane, OutboundFrame, bool> add)
    {
        IOutboxReader? wake = null;
        lock (_gate)
        {
            if (!_closing && add(_control, frame))
                wake = TakeWake(force: false);
        }
        wake?.OnOutboxReady();
    }

    // Wakes the source when it waits for data; "force" wakes it regardless (close, expiry timer).
    private IOutboxReader? TakeWake(bool force)
    {
        if (!force && !_consumerWaiting)
            return null;
        _consumerWaiting = false;
        return _reader;
    }

    private bool ExpireOverflow(long now)
    {
        if (_overflow is not { Count: > 0 } || _overflow.Peek().Deadline > now)
            return false;
        while (_overflow.Count > 0 && _overflow.Peek().Deadline <= now)
        {
            _overflow.Dequeue();
            if (Overflow() == OfferResult.Closed)
                return true;
        }
        return false;
    }

    private OfferResult Overflow()
    {
        if (!_policy.Closes())
        {
            _counters.RecordDropped();
            return OfferResult.Dropped;
        }
        _counters.RecordClosedSlow();
        BeginClose(Framing.CloseCode.TryAgainLater, "slow consumer", discardPending: true);
        return OfferResult.Closed;
    }

    private void BeginClose(ushort code, string reason, bool discardPending)
    {
        _closing = true;
        CloseCode = code;
        CloseReason = reason;
        _closeFrame = OutboundFrame.Close(code, reason);
        if (discardPending)
        {
            _data.Clear();
            _overflow?.Clear();
        }
        else if (_overflow is not null)
        {
            while (_overflow.Count > 0)
                _data.Enqueue(_overflow.Dequeue().Frame);
        }
    }

    private void Discard()
    {
        _data.Clear();
        _overflow?.Clear();
        _control.Clear();
    }
}

internal enum DrainResult
{
    Empty,
    Frames,

    /// <summary>The batch ends the outbound side (it holds the close frame, or nothing when aborted).</summary>
    Last,
}

/// <summary>What drains an <see cref="Outbox"/>: told, on the thread that made it so, when there is something to drain.</summary>
internal interface IOutboxReader
{
    void OnOutboxReady();
}

using System.Buffers;
using Akka.Actor;
using Switchboard.Streams.Framing;
using Switchboard.Streams.Hosting;
using Switchboard.Streams.Outbound;

namespace Switchboard.Streams;

/// <summary>
/// One live WebSocket connection: its outbox, its close handshake and its completion. Every
/// close, whoever starts it, finishes within <see cref="ConnectionOptions.CloseTimeout"/> or
/// the TCP connection is aborted.
/// </summary>
public sealed class WebSocketConnection
{
    // The node's scheduler and socket failure log, held as the hosts to keep one field per connection for both.
    private readonly ConnectionHosts _hosts;
    // Completed by the connection itself once both sides of its graph have ended: nothing waits on an await per
    // connection while it is open.
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ICancelable? _closeDeadline;
    private int _sidesRunning = 2;
    private int _finishing;
    private volatile bool _outboundAbrupt;
    private long _lastSeen = Environment.TickCount64;
    private long _messagesIn;
    private long _messagesOut;
    private volatile bool _discardingInput;
    private volatile bool _failed;
    private volatile bool _closeReceived;
    private volatile bool _inboundFinished;
    private volatile bool _outboundFinished;

    internal WebSocketConnection(string id, ConnectionOptions options, int? compressionLevel, ConnectionTransport transport,
        ConnectionCounters counters, ConnectionHosts hosts)
    {
        Id = id;
        Options = options;
        CompressionLevel = compressionLevel;
        Counters = counters;
        Transport = transport;
        _hosts = hosts;
        Outbox = new Outbox(options.MessageBufferSize, options.Overflow, options.SendTimeout, counters, options.StallGrace, this);
    }

    public string Id { get; }
    public ConnectionOptions Options { get; }

    /// <summary>The deflate level when permessage-deflate was negotiated, else null.</summary>
    public int? CompressionLevel { get; }

    public ConnectionCounters Counters { get; }
    public Outbox Outbox { get; }

    /// <summary>The socket's pipes: read by the graph's first stage, written by its last.</summary>
    internal ConnectionTransport Transport { get; }

    /// <summary>Where its frames go; told when the connection has ended. Set before the graph runs.</summary>
    internal IInboundHandler Handler { get; set; } = null!;

    /// <summary>Completes when both directions have ended and the socket is released.</summary>
    public Task Completion => _completion.Task;

    /// <summary>When the last frame of any kind arrived (Environment.TickCount64).</summary>
    public long LastSeen => Interlocked.Read(ref _lastSeen);

    internal bool IsDiscardingInput => _discardingInput;

    /// <summary>True when the client's close frame came before any close of the node's: the client ended it.</summary>
    public bool ClosedByPeer { get; private set; }

    /// <summary>Messages this connection received (the admin API's figure; the node's are in <see cref="Counters"/>).</summary>
    public long MessagesIn => Interlocked.Read(ref _messagesIn);

    /// <summary>Messages written to this connection's socket.</summary>
    public long MessagesOut => Interlocked.Read(ref _messagesOut);

    // Beside the node's counters on the message path: one field increment, no allocation.
    internal void RecordMessageIn() => Interlocked.Increment(ref _messagesIn);

    internal void RecordMessagesOut(int messages) => Interlocked.Add(ref _messagesOut, messages);

    /// <summary>The protocol ping every heartbeat sends: one frame shared by all connections.</summary>
    public static readonly OutboundFrame PingFrame = OutboundFrame.Control(Opcode.Ping, []);

    /// <summary>The close code of a connection that stayed silent past the connection timeout (4408, after HTTP 408).</summary>
    public const ushort TimeoutCloseCode = 4408;

    public OfferResult Send(OutboundFrame frame) => Outbox.Offer(frame);

    /// <summary>
    /// One heartbeat: a connection silent for longer than <paramref name="timeout"/> is closed
    /// with <see cref="TimeoutCloseCode"/> and counted; any other gets a protocol ping.
    /// </summary>
    /// <param name="now">Environment.TickCount64, read once per round by the caller.</param>
    public void Heartbeat(long now, TimeSpan timeout)
    {
        if (now - LastSeen <= (long)timeout.TotalMilliseconds)
            Outbox.SendPing(PingFrame);
        else
            Outbox.Close(TimeoutCloseCode, "ping timeout", discardPending: true, static c => c.RecordTimeout());
    }

    /// <summary>Starts a close handshake; messages already buffered are sent first.</summary>
    public void Close(ushort code, string reason) => Outbox.Close(code, reason, discardPending: false);

    /// <summary>
    /// A read or a write on the socket threw: counted by its kind and traced. The side that met it ends as it always
    /// has; this only keeps the failure from going unseen.
    /// </summary>
    internal void OnSocketFailed(SocketOperation operation, Exception failure)
    {
        var kind = SocketFailures.KindOf(failure);
        Counters.RecordSocketFailure(kind);
        _hosts.SocketFailureLog.Failed(Id, operation, kind, failure);
    }

    internal void Touch() => Interlocked.Exchange(ref _lastSeen, Environment.TickCount64);

    /// <summary>Set by the inbound side while the graph runs: reads the socket again after the handler paused it.</summary>
    internal Action? ResumeInbound { get; set; }

    /// <summary>
    /// Reads the socket again after <see cref="IInboundHandler.OnFrame"/> answered false; any thread, any number of times.
    /// The silence the handler caused is not the client's: its timeout counts from now.
    /// </summary>
    public void ResumeReading()
    {
        Touch();
        ResumeInbound?.Invoke();
    }

    /// <summary>Fails the connection (RFC 6455 §7.1.7): close frame with the code, input discarded.</summary>
    internal void Fail(ProtocolViolation violation)
    {
        _discardingInput = true;
        _failed = true;
        Outbox.Close(violation.Code, violation.Message, discardPending: true,
            c => c.RecordError($"close_{violation.Code}"));
    }

    internal void OnCloseReceived(ushort? code)
    {
        _discardingInput = true;
        // Echo the peer's code (§5.5.1); a close without a code is answered with 1000.
        ClosedByPeer = Outbox.Close(code ?? CloseCode.Normal, "", discardPending: true);
        _closeReceived = true;
        if (_outboundFinished)
            Transport.Input.CancelPendingRead();
    }

    internal void OnReaderStopped()
    {
        _inboundFinished = true;
        Outbox.Abort(); // no-op when a close is already under way
    }

    /// <summary>The graph's inbound side (the reader and what handles its frames) has stopped.</summary>
    internal void OnInboundEnded() => SideEnded();

    /// <summary>
    /// The graph's outbound side has stopped; <paramref name="abrupt"/> when it did not end itself (its host died, or it
    /// failed), so that the close frame it owed is written here.
    /// </summary>
    internal void OnOutboundEnded(bool abrupt)
    {
        _outboundAbrupt = abrupt;
        OnOutboundFinished();
        SideEnded();
    }

    /// <summary>The graph never ran (no host took it): the connection ends with 1011.</summary>
    internal void OnNeverRan() => _ = FinishAsync(neverRan: true);

    private void SideEnded()
    {
        if (Interlocked.Decrement(ref _sidesRunning) == 0)
            _ = FinishAsync(neverRan: false);
    }

    private async Task FinishAsync(bool neverRan)
    {
        // Once: a launch that failed half-way may also have stopped the stages it had started.
        if (Interlocked.Exchange(ref _finishing, 1) == 1)
            return;
        // Set when the graph could not send its own close frame (its host died or never ran it) and one is written here.
        var closedHere = neverRan || _outboundAbrupt;
        Exception? failure = null;
        try
        {
            if (neverRan)
                await Transport.Input.CompleteAsync();
            if (closedHere)
                await WriteCloseAsync(CloseCode.InternalError, "internal error");
            await Transport.Output.CompleteAsync();
        }
        catch (Exception e)
        {
            failure = e; // for whoever awaits the connection (Kestrel logs it)
        }
        OnFinished();
        Counters.GraphFinished();
        Counters.RecordClosed(closedHere ? CloseCode.InternalError : Outbox.CloseCode);
        try
        {
            Handler.OnEnded();
        }
        catch (Exception e)
        {
            failure ??= e;
        }
        if (failure is null)
            _completion.TrySetResult();
        else
            _completion.TrySetException(failure);
    }

    private void OnOutboundFinished()
    {
        _outboundFinished = true;
        // A failed connection ends once its close frame is out (§7.1.7); a clean close waits for
        // the peer's close frame, bounded by the close timeout.
        if (_failed || _closeReceived || !Outbox.IsClosing)
            Transport.Input.CancelPendingRead();
    }

    /// <summary>
    /// Writes a close frame straight to the socket, for when the graph that would have written it is gone; bounded by
    /// the close timeout, and nothing when the peer is gone already.
    /// </summary>
    private async Task WriteCloseAsync(ushort code, string reason)
    {
        try
        {
            Transport.Output.Write<byte>(OutboundFrame.Close(code, reason).BytesFor(CompressionLevel));
            using var deadline = new CancellationTokenSource(Options.CloseTimeout);
            await Transport.Output.FlushAsync(deadline.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException)
        {
            // The peer is not reading or is gone, or a fault: the socket is closed without the frame, the failure traced.
            OnSocketFailed(SocketOperation.Write, e);
        }
    }

    private void OnFinished()
    {
        _closeDeadline?.Cancel();
        Outbox.Release();
    }

    /// <summary>The close has started (the outbox says so once): it must finish within the close timeout.</summary>
    internal void OnClosing()
    {
        if (_inboundFinished && _outboundFinished)
            return;
        _closeDeadline = _hosts.ScheduleOnce(Options.CloseTimeout, ForceClose);
    }

    private void ForceClose()
    {
        if (_inboundFinished && _outboundFinished)
            return;
        Transport.Abort();
        Transport.Input.CancelPendingRead();
        Transport.Output.CancelPendingFlush();
    }
}

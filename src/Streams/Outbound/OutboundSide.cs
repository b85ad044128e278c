using System.Buffers;
using System.IO.Pipelines;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Stage;

namespace Switchboard.Streams.Outbound;

/// <summary>
/// A connection's outbound side, one stage: drains the <see cref="Outbox"/> in batches, so that while a write is in flight
/// new messages gather and go out in the next one, writes each batch to the socket's pipe and flushes once per batch. The
/// frames are already encoded; this stage only picks the compressed variant when the connection negotiated it. A flush
/// that has to wait (the pipe is full) and its end are told to the outbox, which decides from them when the socket has
/// stalled. Ends after the close frame, and tells the connection whether it ended itself.
/// </summary>
/// <remarks>
/// One stage rather than a source and a writer: see <see cref="Inbound.InboundSide"/>. Not a TimerGraphStageLogic: a timer
/// table per connection only for the rare Wait-policy deadline.
/// </remarks>
public sealed class OutboundSide : GraphStage<ClosedShape>
{
    public override ClosedShape Shape => ClosedShape.Instance;

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) =>
        new Logic(ConnectionAttribute.Of(inheritedAttributes).Connection);

    private sealed class Logic : GraphStageLogic, IOutboxReader
    {
        private readonly List<OutboundFrame> _batch = new(capacity: 8);
        private readonly IAsyncCallback<Logic> _onSignal;
        private readonly WebSocketConnection _connection;
        private readonly Outbox _outbox;
        private readonly PipeWriter _writer;
        private readonly int _maxBatchBytes;
        private Action? _onStalledFlushDone;
        private Action? _onDeadline;
        private ICancelable? _deadline;
        private ValueTask<FlushResult> _flush;
        private bool _flushing;
        private bool _last;
        private bool _ended;

        public Logic(WebSocketConnection connection) : base(inCount: 0, outCount: 0)
        {
            _connection = connection;
            _outbox = connection.Outbox;
            _writer = connection.Transport.Output;
            _maxBatchBytes = connection.Options.WriteBufferSize;
            _onSignal = GetTypedAsyncCallback<Logic>(static logic => logic.OnSignal());
        }

        public override void PreStart()
        {
            // A stage without ports would otherwise be stopped by the interpreter as soon as it started.
            SetKeepGoing(true);
            _outbox.Attach(this);
            WriteNext();
        }

        void IOutboxReader.OnOutboxReady() => _onSignal.Invoke(this);

        // The transport's writer stays open: completing it would close the socket, also on a close frame still waiting for
        // the peer's answer. The connection completes it once both sides end. Stopped without ending itself, the stage was
        // torn down with its host or failed: what it had to write is lost, and the connection tells the peer.
        public override void PostStop()
        {
            _deadline?.Cancel();
            _connection.OnOutboundEnded(abrupt: !_ended);
        }

        private void OnSignal()
        {
            if (!_flushing && !_last)
                WriteNext();
            if (_deadline is null && !_last && _outbox.NextDeadline is { } deadline)
            {
                _onDeadline ??= GetAsyncCallback(OnDeadline);
                _deadline = Materializer.ScheduleOnce(TimeSpan.FromMilliseconds(Math.Max(1, deadline - Environment.TickCount64)),
                    _onDeadline);
            }
        }

        private void OnDeadline()
        {
            _deadline = null;
            _outbox.ExpireWaiting();
            OnSignal();
        }

        private void WriteNext()
        {
            _batch.Clear();
            switch (_outbox.Drain(_batch, _maxBatchBytes))
            {
                case DrainResult.Empty:
                    return;
                case DrainResult.Last:
                    _last = true;
                    if (_batch.Count == 0)
                    {
                        End();
                        return;
                    }
                    break;
            }
            Write();
        }

        private void Write()
        {
            var messages = 0;
            var bytes = 0;
            var timed = false;
            var compressionLevel = _connection.CompressionLevel;
            foreach (var frame in _batch)
            {
                var encoded = frame.BytesFor(compressionLevel);
                _writer.Write<byte>(encoded);
                bytes += encoded.Length;
                if (!frame.IsControl)
                    messages++;
                timed |= frame.AcceptedAt != 0;
            }
            _connection.Counters.RecordWrite(messages, bytes);
            if (timed)
                TimeDeliveries();
            _connection.RecordMessagesOut(messages);

            _flushing = true;
            try
            {
                _flush = _writer.FlushAsync();
            }
            catch (Exception e)
            {
                // The transport completed the pipe with its failure (Kestrel does with an unexpected one).
                _connection.OnSocketFailed(SocketOperation.Write, e);
                End();
                return;
            }
            if (_flush.IsCompleted)
            {
                OnFlushed();
                return;
            }
            // The pipe is over its pause threshold: the peer is not taking bytes as fast as they come.
            _outbox.PipeFilled();
            // Made on the first full pipe only: most connections never fill theirs. It runs where the flush completes, so
            // that offers see the pipe draining at once, not only once the interpreter has run.
            if (_onStalledFlushDone is null)
            {
                var onFlushed = GetTypedAsyncCallback<Logic>(static logic => logic.OnFlushed());
                _onStalledFlushDone = () =>
                {
                    _outbox.PipeDrained();
                    onFlushed.Invoke(this);
                };
            }
            _flush.GetAwaiter().UnsafeOnCompleted(_onStalledFlushDone);
        }

        // Off the common path: only a batch holding a sampled frame reads the clock, once.
        private void TimeDeliveries()
        {
            var now = DateTime.UtcNow.Ticks;
            foreach (var frame in _batch)
            {
                if (frame.AcceptedAt != 0)
                    _connection.Counters.DeliveryClock.Written(frame, now);
            }
        }

        private void OnFlushed()
        {
            _flushing = false;
            FlushResult result;
            try
            {
                result = _flush.GetAwaiter().GetResult();
            }
            catch (Exception e)
            {
                _connection.OnSocketFailed(SocketOperation.Write, e);
                End(); // the peer is gone; nothing more can be written
                return;
            }
            if (result.IsCompleted || result.IsCanceled || _last)
                End();
            else
                WriteNext();
        }

        private void End()
        {
            _ended = true;
            CompleteStage();
        }
    }
}

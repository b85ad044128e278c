using System.Buffers;
using System.IO.Pipelines;
using Akka.Streams;
using Akka.Streams.Stage;

namespace Switchboard.Streams.Outbound;

/// <summary>
/// Writes each batch of frames to the socket's pipe and flushes once per batch; a flush that has to wait
/// (the pipe is full) and its end are told to the outbox, which decides from them when the socket has stalled. The frames are
/// already encoded; this stage only picks the compressed variant when the connection negotiated it.
/// Tells the connection when the outbound side has ended, and whether it ended itself.
/// </summary>
public sealed class FrameWriter : GraphStage<SinkShape<FrameBatch>>
{
    public Inlet<FrameBatch> In { get; } = new("frame-writer.in");

    public override SinkShape<FrameBatch> Shape => new(In);

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) =>
        new Logic(this, ConnectionAttribute.Of(inheritedAttributes).Connection);

    private sealed class Logic : InGraphStageLogic
    {
        private readonly FrameWriter _stage;
        private Action? _onStalledFlushDone;
        private ValueTask<FlushResult> _flush;
        private bool _flushing;
        private bool _ended;

        private readonly PipeWriter _writer;
        private readonly Outbox _outbox;
        private readonly int? _compressionLevel;
        private readonly ConnectionCounters _counters;
        private readonly WebSocketConnection _connection;

        public Logic(FrameWriter stage, WebSocketConnection connection) : base(inCount: 1, outCount: 0)
        {
            _stage = stage;
            _writer = connection.Transport.Output;
            _outbox = connection.Outbox;
            _compressionLevel = connection.CompressionLevel;
            _counters = connection.Counters;
            _connection = connection;
            SetHandler(stage.In, this);
        }

        public override void PreStart() => Pull(_stage.In);

        public override void OnPush()
        {
            var messages = 0;
            var bytes = 0;
            var timed = false;
            var frames = Grab(_stage.In).Frames;
            foreach (var frame in frames)
            {
                var encoded = frame.BytesFor(_compressionLevel);
                _writer.Write<byte>(encoded);
                bytes += encoded.Length;
                if (!frame.IsControl)
                    messages++;
                timed |= frame.AcceptedAt != 0;
            }
            _counters.RecordWrite(messages, bytes);
            if (timed)
                TimeDeliveries(frames);
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
            // Made on the first full pipe only: most connections never fill theirs. It runs where the flush
            // completes, so that offers see the pipe draining at once, not only once the interpreter has run.
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
        private void TimeDeliveries(List<OutboundFrame> frames)
        {
            var now = DateTime.UtcNow.Ticks;
            foreach (var frame in frames)
            {
                if (frame.AcceptedAt != 0)
                    _counters.DeliveryClock.Written(frame, now);
            }
        }

        public override void OnUpstreamFinish()
        {
            if (!_flushing)
                End();
        }

        // The transport's writer stays open: completing it would close the socket, also on a close
        // frame still waiting for the peer's answer. The connection completes it once both sides end.
        // Stopped without ending itself, the stage was torn down with its host or failed from upstream:
        // what it had to write is lost, and the connection tells the peer.
        public override void PostStop() => _connection.OnOutboundEnded(abrupt: !_ended);

        private void End()
        {
            _ended = true;
            CompleteStage();
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
            if (result.IsCompleted || result.IsCanceled || IsClosed(_stage.In))
                End();
            else
                Pull(_stage.In);
        }
    }
}

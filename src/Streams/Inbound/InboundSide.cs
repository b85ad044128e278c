using System.Buffers;
using System.IO.Pipelines;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Stage;
using Switchboard.Streams.Framing;
using Switchboard.Streams.Json;
using Switchboard.Streams.Outbound;

namespace Switchboard.Streams.Inbound;

/// <summary>
/// A connection's inbound side, one stage: reads the socket's pipe, decodes frames, answers pings and closes, passes data
/// frames to a <see cref="MessageAssembler"/> and hands each whole message, decoded, to the handler. While idle it holds
/// only a pending read on the pipe. While the handler holds back it keeps the undecoded bytes and reads nothing more.
/// After a protocol violation it keeps reading only to discard, so that the close frame is not lost to a reset. With a
/// keep-alive (EnableGlobalPing=0) it also runs the connection's own heartbeat. Tells the connection when it has ended.
/// </summary>
/// <remarks>
/// One stage rather than framing, assembly and a sink in a row: each stage costs every connection a logic, its wiring in
/// the interpreter and a push per frame (docs/performance.md, "An idle connection").
/// </remarks>
public sealed class InboundSide(bool keepAlive) : GraphStage<ClosedShape>
{
    public override ClosedShape Shape => ClosedShape.Instance;

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) =>
        new Logic(ConnectionAttribute.Of(inheritedAttributes).Connection, keepAlive);

    private sealed class Logic : GraphStageLogic
    {
        // Frames handled in one turn before the stage lets the other connections on its host go first: one read may hold
        // thousands of small frames. Near what the interpreter's event limit allowed when reading and assembly were two stages.
        private const int FramesPerTurn = 256;

        private readonly WebSocketConnection _connection;
        private readonly PipeReader _reader;
        private readonly IInboundHandler _handler;
        private readonly MessageAssembler _assembler;
        private readonly bool _keepAlive;
        // Typed, with static handlers: the untyped GetAsyncCallback wraps each handler in three more delegates.
        private readonly IAsyncCallback<Logic> _onRead;
        private readonly Action _resumeRead;
        private IAsyncCallback<Logic>? _onNextTurn;
        private ICancelable? _heartbeat;
        private ValueTask<ReadResult> _read;
        private ReadOnlySequence<byte> _buffer;
        private bool _holding;
        private bool _ended;
        // The handler holds as many frames as it will: nothing more is decoded or read until it says so.
        private bool _paused;
        private bool _failed;

        public Logic(WebSocketConnection connection, bool keepAlive) : base(inCount: 0, outCount: 0)
        {
            _connection = connection;
            _reader = connection.Transport.Input;
            _handler = connection.Handler;
            _assembler = new MessageAssembler(connection.Options.InboundLimit, connection.CompressionLevel);
            _keepAlive = keepAlive;
            _onRead = GetTypedAsyncCallback<Logic>(static logic => logic.OnRead());
            _resumeRead = () => _onRead.Invoke(this);
            var resume = GetTypedAsyncCallback<Logic>(static logic => logic.Resume());
            connection.ResumeInbound = () => resume.Invoke(this);
        }

        public override void PreStart()
        {
            // A stage without ports would otherwise be stopped by the interpreter as soon as it started.
            SetKeepGoing(true);
            if (_keepAlive)
                StartHeartbeat();
            Decode();
        }

        public override void PostStop()
        {
            _heartbeat?.Cancel();
            if (_holding)
                _reader.AdvanceTo(_buffer.Start);
            _reader.Complete();
            _connection.OnReaderStopped();
            _connection.OnInboundEnded();
        }

        private void StartHeartbeat()
        {
            var interval = _connection.Options.KeepAlive!.Interval;
            var beat = GetTypedAsyncCallback<Logic>(static logic =>
                logic._connection.Heartbeat(Environment.TickCount64, logic._connection.Options.KeepAlive!.Timeout));
            _heartbeat = Materializer.ScheduleRepeatedly(interval, interval, () => beat.Invoke(this));
        }

        private void Resume()
        {
            if (!_paused)
                return;
            _paused = false;
            Decode();
        }

        // Invoked from inside the interpreter, a callback would run before the host's mailbox is looked at again (Akka.Streams
        // short-circuits it); from the thread pool it queues behind what the host's other connections sent.
        private void YieldTurn()
        {
            _onNextTurn ??= GetTypedAsyncCallback<Logic>(static logic => logic.NextTurn());
            ThreadPool.UnsafeQueueUserWorkItem(static logic => logic._onNextTurn!.Invoke(logic), this, preferLocal: false);
        }

        private void NextTurn()
        {
            if (!_paused)
                Decode();
        }

        private void OnRead()
        {
            if (TakeRead())
                Decode();
        }

        private void Decode()
        {
            while (true)
            {
                if (_holding)
                {
                    if (!HandleHeld())
                        return; // paused or failed: the rest stays in the pipe
                    _reader.AdvanceTo(_buffer.Start, _buffer.End);
                    _holding = false;
                }
                if (_ended)
                {
                    CompleteStage();
                    return;
                }
                _read = _reader.ReadAsync();
                if (!_read.IsCompleted)
                {
                    _read.GetAwaiter().UnsafeOnCompleted(_resumeRead);
                    return;
                }
                if (!TakeRead())
                    return;
            }
        }

        // Handles the whole frames held; false when the handler paused, the stage failed or the turn ended before the end of them.
        private bool HandleHeld()
        {
            var handled = 0;
            while (!_paused && !_failed)
            {
                if (handled++ == FramesPerTurn)
                {
                    YieldTurn();
                    return false;
                }
                if (_connection.IsDiscardingInput)
                {
                    _buffer = _buffer.Slice(_buffer.End);
                    return true;
                }
                var before = _buffer.Length;
                WebSocketFrame? frame;
                try
                {
                    if (!FrameDecoder.TryDecode(ref _buffer, _connection.Options.InboundLimit,
                            _connection.CompressionLevel.HasValue, out frame))
                        return true;
                }
                catch (ProtocolViolation violation)
                {
                    _connection.Fail(violation);
                    _buffer = _buffer.Slice(_buffer.End);
                    return true;
                }
                _connection.Counters.RecordBytesIn(before - _buffer.Length);
                Handle(frame!);
            }
            return false;
        }

        private void Handle(WebSocketFrame frame)
        {
            _connection.Touch();
            InboundMessage? message;
            try
            {
                message = frame.Opcode switch
                {
                    Opcode.Ping => Answer(OutboundFrame.Control(Opcode.Pong, frame.Payload)),
                    Opcode.Pong => null,
                    Opcode.Close => CloseReceived(frame.Payload),
                    _ => _assembler.Add(frame),
                };
            }
            catch (ProtocolViolation violation)
            {
                _connection.Fail(violation);
                return;
            }
            if (message is null)
                return;
            _connection.Counters.RecordMessageIn();
            _connection.RecordMessageIn();
            try
            {
                var decoded = ClientFrameDecoder.Decode(message);
                // Read up to InboundLimit so that a refresh could carry its token; any other type is held to MaxMessageSize.
                if (_connection.Options.Fits(message.Payload.Length, decoded.Type))
                    _paused = !_handler.OnFrame(decoded);
                else
                    _connection.Fail(new ProtocolViolation(CloseCode.MessageTooBig,
                        $"message larger than {_connection.Options.MaxMessageSize} bytes"));
            }
            catch (Exception e)
            {
                // Closed before the stage fails, so that the client gets a close frame and learns it was our fault.
                _connection.Outbox.Close(CloseCode.InternalError, "internal error", discardPending: true);
                _failed = true;
                FailStage(e);
            }
        }

        private InboundMessage? Answer(OutboundFrame pong)
        {
            _connection.Outbox.SendPong(pong);
            return null;
        }

        private InboundMessage? CloseReceived(byte[] payload)
        {
            _connection.OnCloseReceived(ClosePayload.Parse(payload));
            return null;
        }

        private bool TakeRead()
        {
            ReadResult result;
            try
            {
                result = _read.GetAwaiter().GetResult();
            }
            catch (Exception e)
            {
                // Reset by the peer, aborted by the close timeout, or a fault: the connection says which.
                _connection.OnSocketFailed(SocketOperation.Read, e);
                CompleteStage();
                return false;
            }
            if (result.IsCanceled)
            {
                _reader.AdvanceTo(result.Buffer.Start);
                CompleteStage();
                return false;
            }
            _buffer = result.Buffer;
            _holding = true;
            _ended = result.IsCompleted;
            return true;
        }
    }
}

using System.Buffers;
using System.IO.Pipelines;
using Akka.Streams;
using Akka.Streams.Stage;
using Switchboard.Streams.Framing;

namespace Switchboard.Streams.Inbound;

/// <summary>
/// Reads the socket's pipe and emits decoded frames. While idle it holds only a pending read on
/// the pipe, no buffer of its own. After a protocol violation it fails the connection and keeps
/// reading only to discard, so the close frame is not lost to a reset.
/// </summary>
public sealed class FrameReader : GraphStage<SourceShape<WebSocketFrame>>
{
    public Outlet<WebSocketFrame> Out { get; } = new("frame-reader.out");

    public override SourceShape<WebSocketFrame> Shape => new(Out);

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) =>
        new Logic(this, ConnectionAttribute.Of(inheritedAttributes).Connection);

    private sealed class Logic : OutGraphStageLogic
    {
        private readonly FrameReader _stage;
        private readonly IAsyncCallback<Logic> _onRead;
        private readonly Action _resumeRead;
        private ValueTask<ReadResult> _read;
        private ReadOnlySequence<byte> _buffer;
        private bool _holding;
        private bool _ended;

        public Logic(FrameReader stage, WebSocketConnection connection) : base(inCount: 0, outCount: 1)
        {
            _stage = stage;
            Reader = connection.Transport.Input;
            Connection = connection;
            // Typed, with a static handler: the untyped GetAsyncCallback wraps the handler in three more delegates.
            _onRead = GetTypedAsyncCallback<Logic>(static logic => logic.OnRead());
            _resumeRead = ResumeRead;
            SetHandler(stage.Out, this);
        }

        private PipeReader Reader { get; }
        private WebSocketConnection Connection { get; }

        public override void OnPull() => Decode();

        public override void PostStop()
        {
            if (_holding)
                Reader.AdvanceTo(_buffer.Start);
            Reader.Complete();
            Connection.OnReaderStopped();
        }

        private void Decode()
        {
            while (true)
            {
                if (_holding)
                {
                    if (TryEmit())
                        return;
                    Reader.AdvanceTo(_buffer.Start, _buffer.End);
                    _holding = false;
                }
                if (_ended)
                {
                    CompleteStage();
                    return;
                }
                _read = Reader.ReadAsync();
                if (!_read.IsCompleted)
                {
                    _read.GetAwaiter().UnsafeOnCompleted(_resumeRead);
                    return;
                }
                if (!TakeRead())
                    return;
            }
        }

        private bool TryEmit()
        {
            if (Connection.IsDiscardingInput)
            {
                _buffer = _buffer.Slice(_buffer.End);
                return false;
            }
            var before = _buffer.Length;
            try
            {
                if (!FrameDecoder.TryDecode(ref _buffer, Connection.Options.InboundLimit,
                        Connection.CompressionLevel.HasValue, out var frame))
                    return false;
                Connection.Counters.RecordBytesIn(before - _buffer.Length);
                Push(_stage.Out, frame!);
                return true;
            }
            catch (ProtocolViolation violation)
            {
                Connection.Fail(violation);
                _buffer = _buffer.Slice(_buffer.End);
                return false;
            }
        }

        private void ResumeRead() => _onRead.Invoke(this);

        private void OnRead()
        {
            if (TakeRead() && (IsAvailable(_stage.Out) || Connection.IsDiscardingInput))
                Decode();
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
                Connection.OnSocketFailed(SocketOperation.Read, e);
                CompleteStage();
                return false;
            }
            if (result.IsCanceled)
            {
                Reader.AdvanceTo(result.Buffer.Start);
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

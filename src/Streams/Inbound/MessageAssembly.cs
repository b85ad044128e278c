using Akka.Streams;
using Akka.Streams.Stage;
using Switchboard.Streams.Framing;
using Switchboard.Streams.Json;
using Switchboard.Streams.Outbound;

namespace Switchboard.Streams.Inbound;

/// <summary>
/// The end of a connection's inbound side: answers control frames (ping → pong, close → close), passes
/// data frames to a <see cref="MessageAssembler"/>, and hands each whole message, decoded, to the handler.
/// One stage rather than assembly, decode and a sink in a row: each stage costs every connection a logic and
/// its wiring in the interpreter. Tells the connection when the inbound side has ended.
/// </summary>
public sealed class MessageAssembly : GraphStage<SinkShape<WebSocketFrame>>
{
    public Inlet<WebSocketFrame> In { get; } = new("message-assembly.in");

    public override SinkShape<WebSocketFrame> Shape => new(In);

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) =>
        new Logic(this, ConnectionAttribute.Of(inheritedAttributes).Connection);

    private sealed class Logic : InGraphStageLogic
    {
        private readonly MessageAssembly _stage;
        private readonly MessageAssembler _assembler;

        private readonly IInboundHandler _handler;

        // The handler holds as many frames as it will: nothing is pulled (the socket is not read) until it says so.
        private bool _paused;

        public Logic(MessageAssembly stage, WebSocketConnection connection) : base(inCount: 1, outCount: 0)
        {
            _stage = stage;
            Connection = connection;
            _handler = connection.Handler;
            _assembler = new MessageAssembler(Connection.Options.InboundLimit, Connection.CompressionLevel);
            SetHandler(stage.In, this);
            var resume = GetAsyncCallback(Resume);
            connection.ResumeInbound = () => resume();
        }

        private WebSocketConnection Connection { get; }

        public override void PreStart() => Pull(_stage.In);

        public override void OnPush()
        {
            var frame = Grab(_stage.In);
            Handle(frame);
            if (!_paused && !IsClosed(_stage.In))
                Pull(_stage.In);
        }

        private void Resume()
        {
            if (!_paused)
                return;
            _paused = false;
            if (!IsClosed(_stage.In) && !HasBeenPulled(_stage.In))
                Pull(_stage.In);
        }

        private void Handle(WebSocketFrame frame)
        {
            Connection.Touch();
            if (Connection.IsDiscardingInput)
                return;
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
                Connection.Fail(violation);
                return;
            }
            if (message is null)
                return;
            Connection.Counters.RecordMessageIn();
            Connection.RecordMessageIn();
            try
            {
                var decoded = ClientFrameDecoder.Decode(message);
                // The reader took up to InboundLimit so that a refresh could carry its token; any other type is held to MaxMessageSize.
                if (Connection.Options.Fits(message.Payload.Length, decoded.Type))
                    _paused = !_handler.OnFrame(decoded);
                else
                    Connection.Fail(new ProtocolViolation(CloseCode.MessageTooBig, $"message larger than {Connection.Options.MaxMessageSize} bytes"));
            }
            catch (Exception e)
            {
                // Closed before the stage fails: failing cancels the reader, whose end would abort the outbox
                // without a close frame. The client learns it was our fault.
                Connection.Outbox.Close(CloseCode.InternalError, "internal error", discardPending: true);
                FailStage(e);
            }
        }

        public override void OnUpstreamFailure(Exception e) => FailStage(e);

        public override void PostStop() => Connection.OnInboundEnded();

        private InboundMessage? Answer(OutboundFrame pong)
        {
            Connection.Outbox.SendPong(pong);
            return null;
        }

        private InboundMessage? CloseReceived(byte[] payload)
        {
            Connection.OnCloseReceived(ClosePayload.Parse(payload));
            return null;
        }
    }
}

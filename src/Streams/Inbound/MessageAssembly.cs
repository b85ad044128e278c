using Akka.Streams;
using Akka.Streams.Stage;
using Switchboard.Streams.Framing;
using Switchboard.Streams.Outbound;

namespace Switchboard.Streams.Inbound;

/// <summary>
/// Answers control frames (ping → pong, close → close) and passes data frames to a
/// <see cref="MessageAssembler"/>, emitting whole messages.
/// </summary>
public sealed class MessageAssembly(WebSocketConnection connection) : GraphStage<FlowShape<WebSocketFrame, InboundMessage>>
{
    public Inlet<WebSocketFrame> In { get; } = new("message-assembly.in");
    internal WebSocketConnection Connection { get; } = connection;

    public Outlet<InboundMessage> Out { get; } = new("message-assembly.out");

    public override FlowShape<WebSocketFrame, InboundMessage> Shape => new(In, Out);

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private sealed class Logic : InAndOutGraphStageLogic
    {
        private readonly MessageAssembly _stage;
        private readonly MessageAssembler _assembler;

        public Logic(MessageAssembly stage) : base(stage.Shape)
        {
            _stage = stage;
            _assembler = new MessageAssembler(stage.Connection.Options.MaxMessageSize, stage.Connection.CompressionLevel);
            SetHandler(stage.In, this);
            SetHandler(stage.Out, this);
        }

        private WebSocketConnection Connection => _stage.Connection;

        public override void OnPull() => Pull(_stage.In);

        public override void OnPush()
        {
            var frame = Grab(_stage.In);
            Connection.Touch();
            if (Connection.IsDiscardingInput)
            {
                Pull(_stage.In);
                return;
            }
            try
            {
                var message = frame.Opcode switch
                {
                    Opcode.Ping => Answer(OutboundFrame.Control(Opcode.Pong, frame.Payload)),
                    Opcode.Pong => null,
                    Opcode.Close => CloseReceived(frame.Payload),
                    _ => _assembler.Add(frame),
                };
                if (message is null)
                {
                    Pull(_stage.In);
                    return;
                }
                Connection.Counters.RecordMessageIn();
                Push(_stage.Out, message);
            }
            catch (ProtocolViolation violation)
            {
                Connection.Fail(violation);
                Pull(_stage.In);
            }
        }

        private InboundMessage? Answer(OutboundFrame pong)
        {
            Connection.Outbox.SendControl(pong);
            return null;
        }

        private InboundMessage? CloseReceived(byte[] payload)
        {
            Connection.OnCloseReceived(ClosePayload.Parse(payload));
            return null;
        }
    }
}

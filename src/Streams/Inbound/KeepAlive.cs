using Akka.Streams;
using Akka.Streams.Stage;
using Switchboard.Streams.Framing;

namespace Switchboard.Streams.Inbound;

/// <summary>
/// The per-connection heartbeat (EnableGlobalPing=0): passes frames through untouched and, on
/// its own timer, pings the connection or closes it once it has been silent too long.
/// </summary>
public sealed class KeepAlive(WebSocketConnection connection, KeepAliveOptions options)
    : GraphStage<FlowShape<WebSocketFrame, WebSocketFrame>>
{
    public Inlet<WebSocketFrame> In { get; } = new("keep-alive.in");
    public Outlet<WebSocketFrame> Out { get; } = new("keep-alive.out");
    internal WebSocketConnection Connection { get; } = connection;
    internal KeepAliveOptions Options { get; } = options;

    public override FlowShape<WebSocketFrame, WebSocketFrame> Shape => new(In, Out);

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private sealed class Logic : TimerGraphStageLogic
    {
        private readonly KeepAlive _stage;

        public Logic(KeepAlive stage) : base(stage.Shape)
        {
            _stage = stage;
            SetHandler(stage.In, onPush: () => Push(stage.Out, Grab(stage.In)));
            SetHandler(stage.Out, onPull: () => Pull(stage.In));
        }

        public override void PreStart() => ScheduleRepeatedly("heartbeat", _stage.Options.Interval);

        protected override void OnTimer(object timerKey) =>
            _stage.Connection.Heartbeat(Environment.TickCount64, _stage.Options.Timeout);
    }
}

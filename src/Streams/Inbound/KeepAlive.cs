using Akka.Streams;
using Akka.Streams.Stage;
using Switchboard.Streams.Framing;

namespace Switchboard.Streams.Inbound;

/// <summary>
/// The per-connection heartbeat (EnableGlobalPing=0): passes frames through untouched and, on
/// its own timer, pings the connection or closes it once it has been silent too long.
/// </summary>
public sealed class KeepAlive : GraphStage<FlowShape<WebSocketFrame, WebSocketFrame>>
{
    public Inlet<WebSocketFrame> In { get; } = new("keep-alive.in");
    public Outlet<WebSocketFrame> Out { get; } = new("keep-alive.out");

    public override FlowShape<WebSocketFrame, WebSocketFrame> Shape => new(In, Out);

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) =>
        new Logic(this, ConnectionAttribute.Of(inheritedAttributes).Connection);

    private sealed class Logic : TimerGraphStageLogic
    {
        private readonly WebSocketConnection _connection;
        private readonly KeepAliveOptions _options;

        public Logic(KeepAlive stage, WebSocketConnection connection) : base(stage.Shape)
        {
            _connection = connection;
            _options = connection.Options.KeepAlive!;
            SetHandler(stage.In, onPush: () => Push(stage.Out, Grab(stage.In)));
            SetHandler(stage.Out, onPull: () => Pull(stage.In));
        }

        public override void PreStart() => ScheduleRepeatedly("heartbeat", _options.Interval);

        protected override void OnTimer(object timerKey) =>
            _connection.Heartbeat(Environment.TickCount64, _options.Timeout);
    }
}

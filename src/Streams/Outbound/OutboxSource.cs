using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Stage;

namespace Switchboard.Streams.Outbound;

/// <summary>Frames drained from the outbox in one go; reused, valid until the next pull.</summary>
public sealed class FrameBatch
{
    public List<OutboundFrame> Frames { get; } = new(capacity: 8);
}

/// <summary>
/// Emits what the <see cref="Outbox"/> holds as batches, so that while a socket write is in
/// flight new messages gather and go out in the next write. Completes after the close frame.
/// </summary>
public sealed class OutboxSource : GraphStage<SourceShape<FrameBatch>>
{
    public Outlet<FrameBatch> Out { get; } = new("outbox.out");

    public override SourceShape<FrameBatch> Shape => new(Out);

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) =>
        new Logic(this, ConnectionAttribute.Of(inheritedAttributes).Connection);

    // Not a TimerGraphStageLogic, and made without the Shape: both would give every connection objects of their own
    // (a timer table, a log source and the shape's name) that only the rare Wait-policy deadline needs. The callbacks
    // are typed ones with static handlers: the untyped GetAsyncCallback wraps each in three more delegates.
    private sealed class Logic : OutGraphStageLogic, IOutboxReader
    {
        private readonly OutboxSource _stage;
        private readonly FrameBatch _batch = new();
        private readonly IAsyncCallback<Logic> _onSignal;
        private Action? _onDeadline;
        private ICancelable? _deadline;

        private readonly Outbox _outbox;
        private readonly int _maxBatchBytes;

        public Logic(OutboxSource stage, WebSocketConnection connection) : base(inCount: 0, outCount: 1)
        {
            _stage = stage;
            _outbox = connection.Outbox;
            _maxBatchBytes = connection.Options.WriteBufferSize;
            _onSignal = GetTypedAsyncCallback<Logic>(static logic => logic.OnSignal());
            SetHandler(stage.Out, this);
        }

        public override void PreStart() => _outbox.Attach(this);

        void IOutboxReader.OnOutboxReady() => _onSignal.Invoke(this);

        public override void OnPull() => TryPush();

        public override void PostStop() => _deadline?.Cancel();

        private void OnDeadline()
        {
            _deadline = null;
            _outbox.ExpireWaiting();
            OnSignal();
        }

        private void OnSignal()
        {
            if (IsAvailable(_stage.Out))
                TryPush();
            if (_deadline is null && _outbox.NextDeadline is { } deadline)
            {
                _onDeadline ??= GetAsyncCallback(OnDeadline);
                _deadline = Materializer.ScheduleOnce(TimeSpan.FromMilliseconds(Math.Max(1, deadline - Environment.TickCount64)),
                    _onDeadline);
            }
        }

        private void TryPush()
        {
            _batch.Frames.Clear();
            switch (_outbox.Drain(_batch.Frames, _maxBatchBytes))
            {
                case DrainResult.Frames:
                    Push(_stage.Out, _batch);
                    break;
                case DrainResult.Last:
                    if (_batch.Frames.Count > 0)
                        Push(_stage.Out, _batch);
                    CompleteStage();
                    break;
            }
        }
    }
}

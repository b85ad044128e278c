using Akka.Actor;
using Switchboard.Actors.Delivery;
using Switchboard.Actors.History;
using Switchboard.Actors.Hooks;
using Switchboard.Streams.Json;

namespace Switchboard.Actors.Hub;

// The frames that ask the application first (PROTOCOL.md "Application hooks"), and the order they keep: a frame waiting for
// its hook holds back the connection's later frames (all but ping and refresh), so a connection has at most one hook call
// in flight; at most MaxHeld wait behind it, and past that the socket is not read until the hook answers.
public sealed partial class ConnectionSession
{
    /// <summary>Frames that wait behind a hook call before the connection stops reading its socket.</summary>
    public const int MaxHeld = 32;

    private static readonly FrameError JoinRefused = new("forbidden", "the application refused the join");
    private static readonly FrameError PublishRefused = new("forbidden", "the application refused the message");

    // Guarded by _held: whether a frame is being handled or waits for its hook, and whether the socket's reading is paused.
    private bool _busy;
    private bool _paused;

    // ping and refresh are answered at once, even behind a waiting hook: a client's liveness and its token do not queue.
    private static bool IsOutOfOrder(ClientFrame frame) => frame.Error is null && frame.Type is "ping" or "refresh";

    private bool InOrder(ClientFrame frame)
    {
        lock (_held!)
        {
            if (_busy)
            {
                _held.Enqueue(frame);
                _paused = _held.Count >= MaxHeld;
                return !_paused;
            }
            _busy = true;
        }
        if (Handle(frame))
            HandleHeld();
        return true;
    }

    // On whichever thread finished the last frame: the stream's, or the one a hook's answer came on.
    private void HandleHeld()
    {
        while (true)
        {
            ClientFrame next;
            var resume = false;
            lock (_held!)
            {
                if (!_held.TryDequeue(out next!))
                {
                    _busy = false;
                    return;
                }
                if (_paused)
                    (_paused, resume) = (false, true);
            }
            if (resume)
                Connection.ResumeReading();
            if (!Handle(next))
                return;
        }
    }

    /// <summary>Applies the hook's answer when it comes, then handles what was held behind it.</summary>
    private bool Await<T>(Task<HookResult<T>> call, ClientFrame frame, Action<ClientFrame, HookResult<T>> apply) where T : class
    {
        _ = AnswerAsync();
        return false;

        async Task AnswerAsync()
        {
            try
            {
                apply(frame, await call.ConfigureAwait(false));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // HookCalls answers every failure itself; this is a fault of ours, not the application's.
                Reply(frame, new FrameError("internal_error", "the frame could not be handled"));
                hub.LogFault(e, Connection.Id);
            }
            HandleHeld();
        }
    }

    private bool AskJoin(ClientFrame frame, StreamPosition? resume, HookCalls hooks) =>
        Await(hooks.JoinAsync(new JoinRequest(UserId, Connection.Id, frame.Group!, HookValues.Of(Local.Info), HookValues.Of(frame.Data))),
            frame, (f, result) =>
            {
                if (result.Answer is { Allow: true } || result.FailedOpen)
                    Local.Partition.Tell(new DeliveryProtocol.Join(Connection.Id, f.Group!, f.Id, resume,
                        result.Answer is { } allowed ? HookAnswerRules.Bytes(allowed.Data) : default));
                else
                    Reply(f, Refusal(result.Answer, result.Refusal, JoinRefused));
            });

    private bool AskPublish(ClientFrame frame, HookCalls hooks) =>
        Await(hooks.PublishAsync(new PublishRequest(UserId, Connection.Id, frame.Type!, frame.To, frame.Group, HookValues.Of(frame.Data),
                HookValues.Of(frame.Id))),
            frame, (f, result) =>
            {
                if (result.Answer is { Allow: true } allowed)
                    Send(f, HookAnswerRules.Bytes(allowed.Data) ?? f.Data);
                else if (result.FailedOpen)
                    Send(f, f.Data);
                else
                    Reply(f, Refusal(result.Answer, result.Refusal, PublishRefused));
            });

    private bool AskRpc(ClientFrame frame, RpcCall call, HookCalls hooks) =>
        Await(hooks.RpcAsync(new RpcRequest(UserId, Connection.Id, call.Method, call.Params, HookValues.Of(Local.Info))), frame,
            (f, result) =>
            {
                if (result.Answer is { Error: null } answered)
                    Connection.Send(ServerFrames.RpcResult(f.Id, HookAnswerRules.Bytes(answered.Result)!));
                else if (result.Answer is { } refused)
                    Reply(f, new FrameError(refused.Error!, refused.Message ?? "the application refused the call"));
                else
                    // Failed under allow is "as if the hook were off": an rpc then has nobody to answer it.
                    Reply(f, result.FailedOpen ? RpcNotAvailable : result.Refusal!);
            });

    // The application's own code and message when it refused; the service's when the hook failed or was busy.
    private static FrameError Refusal(IRefusingAnswer? answer, FrameError? failure, FrameError fallback) =>
        answer is null
            ? failure ?? fallback
            : new FrameError(answer.Error ?? fallback.Code, answer.Message ?? fallback.Message);
}

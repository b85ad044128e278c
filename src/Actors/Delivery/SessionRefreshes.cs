using Akka.Actor;
using Akka.Event;
using Switchboard.Actors.Delivery.State;
using Switchboard.Actors.Hooks;
using Switchboard.Actors.Hub;
using Switchboard.Streams.Framing;

namespace Switchboard.Actors.Delivery;

/// <summary>
/// A partition's sessions granted by the connect hook (PROTOCOL.md "Application hooks", the <c>refresh</c> row, and
/// "Closing"): the refresh hook is asked to extend each before it runs out, off the partition's thread, its answer piped
/// back; <c>allow:false</c> closes the connection with 4403; a refresh that keeps failing until the session has run out closes
/// it with 4503 under <c>OnFailure=deny</c> and lets it go on under <c>allow</c>. Without a refresh hook a session that runs
/// out is ended (4403): the application granted it for that long and gave no way to extend it.
/// </summary>
internal sealed class SessionRefreshes(HookCalls hooks, IActorRef partition, TimeProvider clock, ILoggingAdapter log)
{
    private readonly SessionDeadlines _deadlines = new(refreshes: hooks.Has(HookKind.Refresh));

    public void Track(LocalConnection local, DateTimeOffset expires) => _deadlines.Track(local, expires);

    public void Forget(string connectionId) => _deadlines.Untrack(connectionId);

    /// <summary>On the partition's sweep: asks for what is due, ends what ran out.</summary>
    public void Sweep()
    {
        if (_deadlines.Due(clock.GetUtcNow()) is not { } due)
            return;
        foreach (var (local, step) in due)
        {
            if (step == SessionStep.Expire)
                RanOut(local);
            else
                Ask(local);
        }
    }

    public void Answered(Answer answer)
    {
        if (_deadlines.Asked(answer.ConnectionId) is not { } local)
            return;
        if (answer.Result.Answer is not { } refresh)
        {
            if (_deadlines.Failed(local.Id, clock.GetUtcNow()))
                RanOut(local);
            return;
        }
        if (refresh.Allow != true)
        {
            _deadlines.Untrack(local.Id);
            log.Info("Audit: the refresh hook ended the session of {UserId}; connection {ConnectionId} closed with 4403", local.UserId, local.Id);
            local.Connection.Close(CloseCode.SessionEnded, "session ended");
            return;
        }
        if (HookAnswerRules.InfoBytes(refresh.Info) is { } info)
            local.Info = info;
        // An extension without expires_in lifts the deadline, as a connect answer without one sets none.
        if (refresh.ExpiresIn is { } seconds)
            _deadlines.Track(local, clock.GetUtcNow() + TimeSpan.FromSeconds(seconds));
        else
            _deadlines.Untrack(local.Id);
    }

    // Task.Run: a handler in code runs up to its first await on the caller's thread, and this one is the partition's.
    private void Ask(LocalConnection local)
    {
        var request = new RefreshRequest(local.UserId, local.Id, HookValues.Of(local.Info));
        var id = local.Id;
        Task.Run(() => hooks.RefreshAsync(request)).PipeTo(partition,
            success: result => new Answer(id, result),
            failure: _ => new Answer(id, new HookResult<RefreshAnswer>(null, HookOutcome.Failed, hooks.Options.Policy(HookKind.Refresh).OnFailure)));
    }

    private void RanOut(LocalConnection local)
    {
        if (!hooks.Has(HookKind.Refresh))
        {
            local.Connection.Close(CloseCode.SessionEnded, "session expired");
            return;
        }
        if (hooks.Options.Policy(HookKind.Refresh).OnFailure == HookFailure.Allow)
        {
            log.Warning("The refresh hook could not extend the session of {UserId} before it ran out; connection {ConnectionId} goes on (OnFailure=allow)",
                local.UserId, local.Id);
            return;
        }
        log.Warning("The refresh hook could not extend the session of {UserId} before it ran out; connection {ConnectionId} closed with 4503",
            local.UserId, local.Id);
        local.Connection.Close(CloseCode.SessionUnconfirmed, "session could not be refreshed");
    }

    /// <summary>The refresh hook's answer for a connection, back on the partition's thread.</summary>
    public sealed record Answer(string ConnectionId, HookResult<RefreshAnswer> Result);

    /// <summary>The partition's timer: sessions due are found once a second, as token deadlines are.</summary>
    public sealed class Sweeping
    {
        public static readonly Sweeping Instance = new();
    }
}

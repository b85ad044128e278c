using System.Diagnostics;
using Akka.Event;
using Switchboard.Streams.Json;

namespace Switchboard.Actors.Hooks;

/// <summary>What came of one hook call: the answer, checked; or why there is none, and whether that lets the action go on.</summary>
public sealed record HookResult<T>(T? Answer, HookOutcome Outcome, HookFailure OnFailure) where T : class
{
    /// <summary>No answer, and <c>OnFailure=allow</c>: go on as if the hook were off.</summary>
    public bool FailedOpen => Answer is null && Outcome != HookOutcome.Busy && OnFailure == HookFailure.Allow;

    /// <summary>The error frame's content when there is no answer and the action is refused.</summary>
    public FrameError? Refusal => Answer is not null || FailedOpen ? null : Outcome == HookOutcome.Busy ? HookCalls.Busy : HookCalls.Unavailable;
}

/// <summary>
/// Calls the application's hooks under their policies (PROTOCOL.md "Application hooks"): at most <c>MaxConcurrent</c> in
/// flight per hook on this node (past it: <c>busy</c>), an answer within <c>Timeout</c>, never retried, every answer held to
/// <see cref="HookAnswerRules"/>, every call counted, every failure and denial logged. The one door hook answers come
/// through, whichever transport and whichever caller (the upgrade, a connection's frames, a refresh deadline).
/// </summary>
public sealed class HookCalls
{
    public static readonly FrameError Unavailable = new("hook_unavailable", "the application could not be asked; try again later");
    public static readonly FrameError Busy = new("busy", "too many requests are waiting for the application; try again");

    private readonly AppHooks _hooks;
    private readonly int _maxGroups;
    private readonly ILoggingAdapter _log;
    private readonly int[] _inFlight = new int[HookKinds.All.Length];
    private readonly long[] _lastWarned = new long[HookKinds.All.Length];
    private readonly int[] _unwarned = new int[HookKinds.All.Length];

    /// <summary>Failures of one hook logged at most this often: a backend that is down fails every frame's call.</summary>
    public static readonly TimeSpan WarningInterval = TimeSpan.FromSeconds(1);

    public HookCalls(AppHooks hooks, HookOptions options, HookStats stats, int maxGroupsPerConnection, ILoggingAdapter log)
    {
        _hooks = hooks;
        _maxGroups = maxGroupsPerConnection;
        _log = log;
        Options = options;
        Stats = stats;
    }

    public HookOptions Options { get; }
    public HookStats Stats { get; }

    public bool Has(HookKind kind) => _hooks.Has(kind);

    public Task<HookResult<ConnectAnswer>> ConnectAsync(ConnectRequest request) =>
        CallAsync(HookKind.Connect, _hooks.Connect!, request, a => HookAnswerRules.Check(a, request.UserId, _maxGroups),
            a => a.Allow != false, request.UserId ?? request.RequestedUserId);

    public Task<HookResult<RefreshAnswer>> RefreshAsync(RefreshRequest request) =>
        CallAsync(HookKind.Refresh, _hooks.Refresh!, request, HookAnswerRules.Check, a => a.Allow == true, request.UserId);

    public Task<HookResult<JoinAnswer>> JoinAsync(JoinRequest request) =>
        CallAsync(HookKind.Join, _hooks.Join!, request, HookAnswerRules.Check, a => a.Allow == true, request.UserId);

    public Task<HookResult<PublishAnswer>> PublishAsync(PublishRequest request) =>
        CallAsync(HookKind.Publish, _hooks.Publish!, request, HookAnswerRules.Check, a => a.Allow == true, request.UserId);

    public Task<HookResult<RpcAnswer>> RpcAsync(RpcRequest request) =>
        CallAsync(HookKind.Rpc, _hooks.Rpc!, request, HookAnswerRules.Check, a => a.Error is null, request.UserId);

    private async Task<HookResult<TAnswer>> CallAsync<TRequest, TAnswer>(HookKind kind, Func<TRequest, CancellationToken, Task<TAnswer>> call,
        TRequest request, Func<TAnswer, string?> check, Func<TAnswer, bool> allows, string? user) where TAnswer : class
    {
        var policy = Options.Policy(kind);
        if (Interlocked.Increment(ref _inFlight[(int)kind]) > policy.MaxConcurrent)
        {
            Interlocked.Decrement(ref _inFlight[(int)kind]);
            Stats.Busy(kind);
            return new HookResult<TAnswer>(null, HookOutcome.Busy, policy.OnFailure);
        }
        var started = Stopwatch.GetTimestamp();
        TAnswer? answer = null;
        HookOutcome outcome;
        string? failure = null;
        using var deadline = new CancellationTokenSource(policy.Timeout);
        try
        {
            // WaitAsync as well as the token: a handler in code that ignores its token still has its deadline.
            answer = await call(request, deadline.Token).WaitAsync(policy.Timeout, CancellationToken.None).ConfigureAwait(false);
            failure = answer is null ? "no answer" : check(answer);
            outcome = failure is not null ? HookOutcome.Failed : allows(answer!) ? HookOutcome.Allowed : HookOutcome.Denied;
        }
        catch (Exception e) when (e is TimeoutException || (e is OperationCanceledException && deadline.IsCancellationRequested))
        {
            outcome = HookOutcome.TimedOut;
            failure = $"no answer within {policy.Timeout.TotalSeconds:0.###} s";
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            outcome = HookOutcome.Failed;
            failure = e is HookCallException ? e.Message : $"{e.GetType().Name}: {e.Message}";
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight[(int)kind]);
        }
        Stats.Record(kind, outcome, started);
        if (failure is not null)
        {
            WarnFailed(kind, user, policy, failure);
            return new HookResult<TAnswer>(null, outcome, policy.OnFailure);
        }
        if (outcome == HookOutcome.Denied)
            _log.Info("Audit: the {Hook} hook denied {UserId}: {Error}", kind.Name(), user ?? "", (answer as IRefusingAnswer)?.Error
                ?? (answer as RpcAnswer)?.Error ?? "");
        return new HookResult<TAnswer>(answer, outcome, policy.OnFailure);
    }

    // One line per hook per interval, saying how many failures it stands for; the counters have every one.
    private void WarnFailed(HookKind kind, string? user, HookPolicy policy, string failure)
    {
        var now = Environment.TickCount64;
        var last = Volatile.Read(ref _lastWarned[(int)kind]);
        if (now - last < (long)WarningInterval.TotalMilliseconds || Interlocked.CompareExchange(ref _lastWarned[(int)kind], now, last) != last)
        {
            Interlocked.Increment(ref _unwarned[(int)kind]);
            return;
        }
        var more = Interlocked.Exchange(ref _unwarned[(int)kind], 0);
        _log.Warning("The {Hook} hook failed for {UserId} ({OnFailure}): {Failure}{More}", kind.Name(), user ?? "", policy.OnFailure, failure,
            more > 0 ? $" (and {more} more failures since the last such line)" : "");
    }
}

/// <summary>A transport's word for a call that failed (another status, a body not of the answer's shape): logged as it is.</summary>
public sealed class HookCallException(string message) : Exception(message);

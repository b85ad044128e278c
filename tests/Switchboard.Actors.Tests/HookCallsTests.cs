using System.Text.Json;
using Akka.Event;
using Switchboard.Actors.Hooks;

namespace Switchboard.Actors.Tests;

/// <summary>
/// The one door hook answers come through, with handlers in code (the transport an embedding application uses): the
/// policy's timeout and bound, the answer's rules, and what is counted.
/// </summary>
public sealed class HookCallsTests
{
    private static readonly RpcRequest Call = new("ann", "c1", "echo", HookValues.Null, HookValues.Null);

    private static HookCalls Calls(AppHooks hooks, HookPolicy? policy = null) =>
        new(hooks, new HookOptions(HookKinds.All.ToDictionary(k => k, _ => policy ?? HookPolicy.Default)), new HookStats(), 128,
            NoLogger.Instance);

    private static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();

    [Fact]
    public async Task An_answer_is_counted_by_what_it_says()
    {
        var calls = Calls(new AppHooks { Rpc = (r, _) => Task.FromResult(r.Method == "echo" ? new RpcAnswer { Result = Json("1") } : new RpcAnswer { Error = "no" }) });
        var allowed = await calls.RpcAsync(Call);
        var denied = await calls.RpcAsync(Call with { Method = "other" });
        Assert.Equal((HookOutcome.Allowed, HookOutcome.Denied), (allowed.Outcome, denied.Outcome));
        Assert.Equal((1, 1), (calls.Stats.Calls(HookKind.Rpc, HookOutcome.Allowed), calls.Stats.Calls(HookKind.Rpc, HookOutcome.Denied)));
        Assert.Equal(2, calls.Stats.Latency(HookKind.Rpc).Sum());
    }

    [Fact]
    public async Task A_handler_that_ignores_its_token_still_times_out()
    {
        var never = new TaskCompletionSource<RpcAnswer>();
        var calls = Calls(new AppHooks { Rpc = (_, _) => never.Task }, new HookPolicy(TimeSpan.FromMilliseconds(100), HookFailure.Allow, 10));
        var result = await calls.RpcAsync(Call);
        Assert.Equal((HookOutcome.TimedOut, true, (object?)null), (result.Outcome, result.FailedOpen, (object?)result.Refusal));
    }

    [Fact]
    public async Task Past_MaxConcurrent_the_hook_is_not_called_and_the_answer_is_busy_even_under_allow()
    {
        var release = new TaskCompletionSource<RpcAnswer>();
        var calls = Calls(new AppHooks { Rpc = (_, _) => release.Task }, new HookPolicy(TimeSpan.FromSeconds(30), HookFailure.Allow, 1));
        var first = calls.RpcAsync(Call);
        var second = await calls.RpcAsync(Call);
        Assert.Equal((HookOutcome.Busy, false, "busy"), (second.Outcome, second.FailedOpen, second.Refusal!.Code));
        release.SetResult(new RpcAnswer { Result = Json("true") });
        Assert.Equal(HookOutcome.Allowed, (await first).Outcome);
        Assert.Equal(HookOutcome.Allowed, (await calls.RpcAsync(Call)).Outcome); // the place was given back
    }

    [Fact]
    public async Task A_handler_that_throws_has_failed_and_deny_refuses_with_hook_unavailable()
    {
        var calls = Calls(new AppHooks { Rpc = (_, _) => throw new InvalidOperationException("down") });
        var result = await calls.RpcAsync(Call);
        Assert.Equal((HookOutcome.Failed, "hook_unavailable"), (result.Outcome, result.Refusal!.Code));
    }

    public static TheoryData<string, string> BadConnectAnswers => new()
    {
        { """{"user_id":"bob"}""", "not the token's sub" },
        { """{"user_id":"server"}""", "reserved" },
        { """{"groups":["ok",""]}""", "not a group name" },
        { """{"info":[1]}""", "info" },
        { """{"info":{"x":"__1100__"}}""", "info" },
        { """{"expires_in":0}""", "expires_in" },
        { """{"allow":false,"status":302}""", "status 302" },
        { """{"allow":false,"error":"has space"}""", "not a code" },
        { """{"data":"__70000__"}""", "data larger" },
    };

    [Theory]
    [MemberData(nameof(BadConnectAnswers))]
    public async Task A_connect_answer_that_breaks_a_rule_has_failed(string answer, string why)
    {
        answer = answer.Replace("__1100__", new string('x', 1100)).Replace("__70000__", new string('x', 70_000));
        var parsed = JsonSerializer.Deserialize<ConnectAnswer>(answer)!;
        Assert.Contains(why, HookAnswerRules.Check(parsed, tokenUser: "ann", maxGroups: 128));
        var calls = Calls(new AppHooks { Connect = (_, _) => Task.FromResult(parsed) });
        var request = new ConnectRequest("ann", null, new HookClient(null, new Dictionary<string, string>(), new Dictionary<string, string>()),
            HookValues.Null, "node");
        Assert.Equal(HookOutcome.Failed, (await calls.ConnectAsync(request)).Outcome);
    }

    [Theory]
    [InlineData("""{"allow":true}""")]
    [InlineData("""{"user_id":"ann","groups":["a","b"],"info":{"name":"Ann"},"data":{"x":[1]},"expires_in":600}""")]
    [InlineData("""{"allow":false,"status":451,"error":"banned.v2","message":"no"}""")]
    [InlineData("""{}""")]
    public void A_connect_answer_in_the_contracts_shape_passes(string answer) =>
        Assert.Null(HookAnswerRules.Check(JsonSerializer.Deserialize<ConnectAnswer>(answer)!, tokenUser: "ann", maxGroups: 128));

    [Theory]
    [InlineData("""{"result":1,"error":"x"}""")]
    [InlineData("""{}""")]
    [InlineData("""{"message":"only"}""")]
    public void An_rpc_answer_has_a_result_or_an_error(string answer) =>
        Assert.NotNull(HookAnswerRules.Check(JsonSerializer.Deserialize<RpcAnswer>(answer)!));

    [Theory]
    [InlineData("""{"data":"x"}""")]
    [InlineData("""{}""")]
    public void Join_and_publish_answers_need_allow(string answer)
    {
        Assert.NotNull(HookAnswerRules.Check(JsonSerializer.Deserialize<JoinAnswer>(answer)!));
        Assert.NotNull(HookAnswerRules.Check(JsonSerializer.Deserialize<PublishAnswer>(answer)!));
    }
}

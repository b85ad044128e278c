namespace Switchboard.Actors.Hooks;

/// <summary>What a hook that failed (timed out, unreachable, a bad answer) means: refuse, or act as if the hook were off.</summary>
public enum HookFailure
{
    Deny,
    Allow,
}

/// <summary>How one hook is called: its deadline, what a failure means, and how many calls a node has in flight at most.</summary>
public sealed record HookPolicy(TimeSpan Timeout, HookFailure OnFailure, int MaxConcurrent)
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(2);
    public const int DefaultMaxConcurrent = 1000;

    public static readonly HookPolicy Default = new(DefaultTimeout, HookFailure.Deny, DefaultMaxConcurrent);
}

/// <summary>The <c>Hooks</c> settings beyond the transports: each hook's policy, what a connect forwards, and whether direct messages are published through the hook.</summary>
/// <param name="PublishDirect"><c>Hooks:Publish:Direct</c>: every client message to a user asks the publish hook too.</param>
/// <param name="ForwardHeaders">The request headers a connect hook sees (<c>Hooks:Connect:ForwardHeaders</c>), by name.</param>
/// <param name="ForwardCookies">The cookies a connect hook sees (<c>Hooks:Connect:ForwardCookies</c>), by name.</param>
public sealed record HookOptions(
    IReadOnlyDictionary<HookKind, HookPolicy> Policies,
    bool PublishDirect = false,
    IReadOnlyList<string>? ForwardHeaders = null,
    IReadOnlyList<string>? ForwardCookies = null)
{
    public static readonly HookOptions Defaults = new(HookKinds.All.ToDictionary(k => k, _ => HookPolicy.Default));

    public HookPolicy Policy(HookKind kind) => Policies.TryGetValue(kind, out var policy) ? policy : HookPolicy.Default;
}

namespace Switchboard.Actors.Hub;

/// <summary>
/// What the application's connect hook gave a connection beyond its user, groups and <c>info</c> (PROTOCOL.md "Application
/// hooks"): the <c>data</c> its <c>welcome</c> carries as <c>data.app</c>, and when its session runs out (<c>expires_in</c>),
/// after which the refresh hook is asked to extend it. Both checked at the door (<see cref="Hooks.HookAnswerRules"/>).
/// </summary>
/// <param name="WelcomeData">Compact JSON for <c>welcome</c>'s <c>data.app</c>; null for none.</param>
/// <param name="Expires">When the session runs out; null: it does not.</param>
public sealed record AppSession(byte[]? WelcomeData, DateTimeOffset? Expires)
{
    /// <summary>A welcome's <c>data.app</c> bytes, empty without any.</summary>
    public static ReadOnlyMemory<byte> WelcomeDataOf(AppSession? session) => session?.WelcomeData;
}

namespace Switchboard.Client.Tests.Support;

public static class Refusal
{
    /// <summary>
    /// The <see cref="ArgumentException"/> that <paramref name="call"/> throws itself, before it returns a task: nothing
    /// was queued, let alone written.
    /// </summary>
    public static ArgumentException Of(Func<Task> call) => Assert.ThrowsAny<ArgumentException>(() => { _ = call(); });
}

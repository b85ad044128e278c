namespace Switchboard.IntegrationTests.Support;

/// <summary>
/// Waits for a condition that the system reaches asynchronously. The deadline is a hang guard,
/// not an assertion about speed: it is far above what the condition ever needs.
/// </summary>
public static class Eventually
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    public static async Task TrueAsync(Func<Task<bool>> condition, string what)
    {
        var giveUp = DateTime.UtcNow + Deadline;
        while (true)
        {
            try
            {
                if (await condition())
                    return;
            }
            catch (HttpRequestException) when (DateTime.UtcNow < giveUp)
            {
            }
            if (DateTime.UtcNow > giveUp)
                throw new TimeoutException($"gave up waiting until {what}");
            await Task.Delay(25);
        }
    }

    public static Task TrueAsync(Func<bool> condition, string what) => TrueAsync(() => Task.FromResult(condition()), what);
}

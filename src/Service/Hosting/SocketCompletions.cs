namespace Switchboard.Service.Hosting;

/// <summary>
/// Runs socket completions on the runtime's epoll thread instead of posting each to the thread pool: one thread
/// wake-up less per receive and per pended send, which took a quarter to a half off direct messages' p50 and p99
/// (docs/performance.md). Safe here because nothing of ours runs there: with <c>IOQueueCount = 0</c> Kestrel's
/// pipes hand the application side of every connection (the hub's reads, HTTP requests, the upgrade) to the thread
/// pool, so the epoll thread runs only the transport's receive loop, its send completions and its accept loop;
/// Akka.Remote's DotNetty and StackExchange.Redis post their completions to their own loops.
/// </summary>
public static class SocketCompletions
{
    public const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>
    /// Turns inline completions on unless the variable is set (<c>0</c> turns them off). Must run before the process's
    /// first socket operation: the runtime reads the variable once.
    /// </summary>
    public static void RunInlineUnlessConfigured()
    {
        if (Environment.GetEnvironmentVariable(Variable) is null)
            Environment.SetEnvironmentVariable(Variable, "1");
    }
}

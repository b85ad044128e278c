namespace Switchboard.Service.Hosting;

/// <summary>
/// How the process's open-file limit is shared out. A .NET server whose accept loop hits
/// "too many open files" (EMFILE) spins and can abort, so the hub never lets sockets reach the limit:
/// a reserve stays free for the node itself (cluster links, Redis, logs, the runtime), and clients get
/// the rest: WebSockets up to MaxConnections, less a share kept for plain HTTP (the API, upgrades in progress).
/// </summary>
/// <param name="Limit">The soft RLIMIT_NOFILE.</param>
/// <param name="OpenAtStart">Descriptors open when the budget was taken.</param>
public sealed record OpenFileBudget(long Limit, long OpenAtStart)
{
    /// <summary>
    /// Descriptors never handed to clients: a tenth of the limit, at least 256, at most 1,000. The runtime keeps
    /// every loaded assembly open, and a node loads about a hundred more after start-up; cluster links and Redis add a few.
    /// </summary>
    public long Reserve => Math.Clamp(Limit / 10, 256, 1_000);

    /// <summary>Descriptors clients may hold, HTTP and WebSocket together.</summary>
    public long ForClients => Math.Max(0, Limit - OpenAtStart - Reserve);

    /// <summary>What stays for plain HTTP when WebSockets take their most: a tenth, at least 16, at most 1,000.</summary>
    public long HttpShare => Math.Min(ForClients, Math.Clamp(ForClients / 10, 16, 1_000));

    /// <summary>The most WebSockets the limit allows.</summary>
    public int MaxWebSockets => (int)Math.Min(int.MaxValue, ForClients - HttpShare);

    /// <summary>The WebSocket cap for a configured MaxConnections: the setting, or less when the limit is lower.</summary>
    public int CapConnections(int configured) => Math.Min(configured, MaxWebSockets);

    /// <summary>This process's budget, or null where /proc is not there to read it (not Linux).</summary>
    public static OpenFileBudget? OfThisProcess()
    {
        const string limits = "/proc/self/limits";
        const string descriptors = "/proc/self/fd";
        if (!File.Exists(limits) || !Directory.Exists(descriptors))
            return null;
        var limit = ParseSoftLimit(File.ReadLines(limits));
        return limit is null ? null : new OpenFileBudget(limit.Value, Directory.EnumerateFileSystemEntries(descriptors).LongCount());
    }

    /// <summary>The soft limit from the "Max open files" row of /proc/self/limits; null when unlimited or absent.</summary>
    public static long? ParseSoftLimit(IEnumerable<string> procLimits)
    {
        const string row = "Max open files";
        foreach (var line in procLimits)
        {
            if (!line.StartsWith(row, StringComparison.Ordinal))
                continue;
            var columns = line[row.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return columns.Length > 0 && long.TryParse(columns[0], out var soft) ? soft : null;
        }
        return null;
    }
}

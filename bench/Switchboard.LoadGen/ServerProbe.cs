namespace Switchboard.LoadGen;

/// <summary>Resident memory and CPU time of the server processes, read from /proc.</summary>
public sealed class ServerProbe(IReadOnlyList<int> pids)
{
    private static readonly double ClockTicksPerSecond = 100; // USER_HZ on Linux

    public bool Enabled => pids.Count > 0;

    /// <summary>Kilobytes resident, summed over the processes.</summary>
    public long ResidentKilobytes() => pids.Sum(pid =>
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:"));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
    });

    /// <summary>User plus system CPU seconds, summed over the processes.</summary>
    public double CpuSeconds() => pids.Sum(pid =>
    {
        // Fields after the command name, which is in parentheses and may hold spaces.
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11]) + long.Parse(fields[12])) / ClockTicksPerSecond;
    });
}

using Microsoft.Diagnostics.Tracing.Etlx;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

// Sums the runtime's allocation samples (one per ~100 KB allocated) of an EventPipe trace by type and
// by allocation site: the type and the first frames outside System.*, so that "who allocates what"
// reads at a glance. Record with the GC and stack keywords:
//   dotnet-trace collect -p <pid> --providers Microsoft-Windows-DotNETRuntime:0x40000019:5 -o run.nettrace
//   dotnet run -c Release --project bench/Switchboard.AllocationSites -- run.nettrace [frames, default 3]
if (args.Length is < 1 or > 2)
{
    Console.Error.WriteLine("usage: Switchboard.AllocationSites <trace.nettrace> [frames]");
    return 2;
}
var frames = args.Length == 2 ? int.Parse(args[1]) : 3;
using var log = new TraceLog(TraceLog.CreateFromEventPipeDataFile(args[0]));
var byType = new Dictionary<string, long>();
var bySite = new Dictionary<string, long>();
long total = 0;
foreach (var traceEvent in log.Events)
{
    if (traceEvent is not GCAllocationTickTraceData tick)
        continue;
    var bytes = tick.AllocationAmount64;
    total += bytes;
    byType[tick.TypeName] = byType.GetValueOrDefault(tick.TypeName) + bytes;
    var site = $"{tick.TypeName}  <=  {string.Join("  <  ", Callers(traceEvent.CallStack(), frames))}";
    bySite[site] = bySite.GetValueOrDefault(site) + bytes;
}

Console.WriteLine($"{total / 1e6:F1} MB in allocation samples");
Print("by type", byType, 30);
Print("by site", bySite, 40);
return 0;

static IEnumerable<string> Callers(TraceCallStack? stack, int count)
{
    var taken = 0;
    for (; stack is not null && taken < count; stack = stack.Caller)
    {
        var method = stack.CodeAddress.FullMethodName;
        if (string.IsNullOrEmpty(method) || taken == 0 && method.StartsWith("System.", StringComparison.Ordinal))
            continue;
        taken++;
        yield return method.Length > 110 ? method[..110] : method;
    }
}

void Print(string title, Dictionary<string, long> sums, int top)
{
    Console.WriteLine($"== {title}");
    foreach (var (name, bytes) in sums.OrderByDescending(p => p.Value).Take(top))
        Console.WriteLine($"{100.0 * bytes / total,5:F1}%  {name}");
}

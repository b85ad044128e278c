using System.Diagnostics;

namespace Switchboard.LoadGen.Scenarios;

/// <summary>
/// With N connected, M broadcasts through the HTTP API, one after the other: each one's time
/// until the last connection has it, deliveries/s, losses, server CPU per 1,000 deliveries.
/// With several load generators, the first posts and each reports what its connections got.
/// </summary>
public static class Fanout
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    public static async Task RunAsync(LoadOptions options)
    {
        var run = new Run(options, expectedDeliveries: options.Connections * options.Broadcasts);
        var report = new Report("fanout", options);
        var users = Enumerable.Range(0, options.Connections).Select(i => run.User("f", i)).ToList();
        var outcome = await run.ConnectAsync(users, report);
        var connected = outcome.Connections.Count;
        await Task.Delay(options.Settle);
        await run.Rendezvous.AllReadyAsync("connected");

        var cpuBefore = run.Server.Enabled ? run.Server.CpuSeconds() : 0;
        var completions = new List<long>();
        for (var b = 1; b <= options.Broadcasts; b++)
        {
            var first = run.Deliveries.Count;
            if (options.ProcessIndex == 0)
                await run.PostBroadcastAsync();
            await run.AwaitDeliveriesAsync((long)connected * b, Patience);
            completions.Add(run.Deliveries.MaxLatencySince(first));
            await run.Rendezvous.AllReadyAsync($"broadcast-{b}");
        }
        var cpu = run.Server.Enabled ? run.Server.CpuSeconds() - cpuBefore : 0;

        var delivered = run.Deliveries.Count;
        var busySeconds = completions.Sum(c => (double)c) / Stopwatch.Frequency;
        completions.Sort();
        report.Add("broadcasts", options.Broadcasts)
            .Add("delivered", delivered)
            .Add("lost", (long)connected * options.Broadcasts - delivered)
            .Add("completion", LatencySummary.Of([.. completions]))
            .Add("deliveries_per_s", Report.Round(delivered / Math.Max(busySeconds, 1e-9)))
            .Add("latency", run.Deliveries.Latencies());
        if (run.Server.Enabled)
            report.Add("server_cpu_ms_per_1000_deliveries", Report.Round(cpu * 1000 * 1000 / Math.Max(1, delivered)));
        report.Print();
        await run.Rendezvous.AllReadyAsync("measured");
    }
}

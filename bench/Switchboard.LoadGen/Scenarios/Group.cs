using System.Diagnostics;

namespace Switchboard.LoadGen.Scenarios;

/// <summary>
/// G groups of S members spread over every node; one member of each group sends: group deliveries/s. With
/// <c>--group-prefix ns:</c> the groups are in namespace <c>ns</c>.
/// </summary>
public static class Group
{
    public static async Task RunAsync(LoadOptions options)
    {
        var perSecond = Math.Max(1, options.Rate / Math.Max(1, options.GroupSize)); // group messages a second, all groups together
        var run = new Run(options, expectedDeliveries: (int)Math.Min(50_000_000, (long)options.Rate * (int)options.Duration.TotalSeconds * 2));
        var report = new Report("group", options);
        var groups = Enumerable.Range(0, options.Groups).Select(g => $"{options.GroupPrefix}{options.RunId}-{options.ProcessIndex}-g{g}").ToList();
        var users = groups.SelectMany((_, g) => Enumerable.Range(0, options.GroupSize).Select(m => run.User($"g{g}m", m))).ToList();
        var outcome = await run.ConnectAsync(users, report);
        var members = outcome.Connections.ToDictionary(c => c.User);
        for (var g = 0; g < groups.Count; g++)
            for (var m = 0; m < options.GroupSize; m++)
                if (members.TryGetValue(run.User($"g{g}m", m), out var member))
                    await member.SendAsync(run.Dialect.Join(groups[g]));
        await Task.Delay(options.Settle);

        var senders = Enumerable.Range(0, groups.Count).Select(g => members.GetValueOrDefault(run.User($"g{g}m", 0))).ToList();
        var cpuBefore = run.Server.Enabled ? run.Server.CpuSeconds() : 0;
        long due = 0, sent = 0;
        var started = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(started) < options.Duration)
        {
            var target = (long)(Stopwatch.GetElapsedTime(started).TotalSeconds * perSecond);
            for (; due < target; due++)
            {
                var g = (int)(due % groups.Count);
                if (senders[g]?.TrySend(run.Dialect.ToGroup(groups[g], Stopwatch.GetTimestamp())) == true)
                    sent++;
            }
            await Task.Delay(1);
        }
        var expected = sent * options.GroupSize;
        await run.AwaitDeliveriesAsync(expected, TimeSpan.FromSeconds(5));
        var elapsed = Stopwatch.GetElapsedTime(started);
        var delivered = run.Deliveries.Count;
        report.Add("groups", options.Groups).Add("group_size", options.GroupSize)
            .Add("group_messages_sent", sent)
            .Add("delivered", delivered)
            .Add("lost", expected - delivered)
            .Add("deliveries_per_s", Report.Round(delivered / elapsed.TotalSeconds))
            .Add("latency", run.Deliveries.Latencies());
        if (run.Server.Enabled)
            report.Add("server_cpu_ms_per_1000_deliveries", Report.Round((run.Server.CpuSeconds() - cpuBefore) * 1e6 / Math.Max(1, delivered)));
        report.Print();
    }
}

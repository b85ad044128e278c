using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Switchboard.LoadGen.Scenarios;

/// <summary>
/// P pairs exchanging direct messages at a target rate for D seconds: the rate achieved,
/// losses and latency. <c>direct-max</c> raises the rate step by step and reports the highest
/// one sustained with no loss and p99 under 50 ms.
/// </summary>
public static class Direct
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Untimed traffic before the first measured step. The first messages after a connect storm meet costs paid once
    /// (the GC promoting every new connection, first calls), which belong to the connect, not to steady-state latency.
    /// </summary>
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(2);
    private const int WarmUpRate = 2_500;

    public static async Task RunAsync(LoadOptions options)
    {
        var run = new Run(options, expectedDeliveries: (int)Math.Min(50_000_000, ((long)options.Rate * (int)options.Duration.TotalSeconds + WarmUpRate * (int)WarmUp.TotalSeconds) * 2));
        var report = new Report("direct", options);
        var pairs = await ConnectPairsAsync(run, report);
        await PaceAsync(run, pairs, WarmUpRate, WarmUp);
        var step = await PaceAsync(run, pairs, options.Rate, options.Duration);
        foreach (var (name, value) in step)
            report.Add(name, value?.DeepClone());
        report.Print();
    }

    public static async Task RunMaxAsync(LoadOptions options)
    {
        var steps = new[] { 2_500, 5_000, 10_000, 20_000, 30_000, 40_000, 60_000, 80_000, 120_000 };
        var duration = TimeSpan.FromSeconds(Math.Min(5, options.Duration.TotalSeconds));
        var run = new Run(options, expectedDeliveries: (int)((steps.Sum() * duration.TotalSeconds) + WarmUpRate * WarmUp.TotalSeconds));
        var report = new Report("direct-max", options);
        var pairs = await ConnectPairsAsync(run, report);
        await PaceAsync(run, pairs, WarmUpRate, WarmUp);
        var results = new JsonArray();
        var sustained = 0;
        foreach (var rate in steps)
        {
            var step = await PaceAsync(run, pairs, rate, duration);
            results.Add(step);
            var latency = step["latency"]!.AsObject();
            var held = (long)step["lost"]! == 0 && (double)latency["p99_ms"]! < 50 && (double)step["achieved_rate"]! >= rate * 0.95;
            if (!held)
                break;
            sustained = rate;
        }
        report.Add("max_sustained_rate", sustained).Add("steps", results);
        report.Print();
    }

    private static async Task<List<(BenchConnection Sender, string Receiver)>> ConnectPairsAsync(Run run, Report report)
    {
        var options = run.Options;
        var users = Enumerable.Range(0, options.Pairs).SelectMany(i => new[] { run.User("s", i), run.User("r", i) }).ToList();
        var outcome = await run.ConnectAsync(users, report);
        await Task.Delay(options.Settle); // registration with the user bucket entities follows the welcome
        var byUser = outcome.Connections.ToDictionary(c => c.User);
        var pairs = Enumerable.Range(0, options.Pairs)
            .Where(i => byUser.ContainsKey(run.User("s", i)) && byUser.ContainsKey(run.User("r", i)))
            .Select(i => (byUser[run.User("s", i)], run.User("r", i)))
            .ToList();
        if (pairs.Count == 0)
            throw new ScenarioFailedException(
                $"no pair has both ends connected ({outcome.Connections.Count} of {users.Count} connections opened): nothing to measure");
        return pairs;
    }

    /// <summary>Sends <paramref name="rate"/> messages a second, round-robin over the pairs, then waits for the stragglers.</summary>
    private static async Task<JsonObject> PaceAsync(Run run, List<(BenchConnection Sender, string Receiver)> pairs, int rate, TimeSpan duration)
    {
        var deliveredBefore = run.Deliveries.Count;
        var firstLatency = deliveredBefore;
        long due = 0, sent = 0, busy = 0;
        var cpuBefore = run.Server.Enabled ? run.Server.CpuSeconds() : 0;
        var started = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(started) < duration)
        {
            var target = (long)(Stopwatch.GetElapsedTime(started).TotalSeconds * rate);
            for (; due < target; due++)
            {
                var (sender, receiver) = pairs[(int)(due % pairs.Count)];
                if (sender.TrySend(run.Dialect.Direct(receiver, Stopwatch.GetTimestamp())))
                    sent++;
                else
                    busy++;
            }
            await Task.Delay(1);
        }
        var elapsed = Stopwatch.GetElapsedTime(started);
        await run.AwaitDeliveriesAsync(deliveredBefore + sent, Patience);
        var delivered = run.Deliveries.Count - deliveredBefore;
        var cpu = run.Server.Enabled ? run.Server.CpuSeconds() - cpuBefore : 0;
        var step = new JsonObject
        {
            ["target_rate"] = rate,
            ["achieved_rate"] = Report.Round(sent / elapsed.TotalSeconds),
            ["sent"] = sent,
            ["not_sent_socket_busy"] = busy,
            ["delivered"] = delivered,
            ["lost"] = sent - delivered,
            ["latency"] = LatencyObject(run.Deliveries.LatenciesSince(firstLatency)),
        };
        if (run.Server.Enabled)
            step["server_cpu_ms_per_1000_messages"] = Report.Round(cpu * 1000 * 1000 / Math.Max(1, delivered));
        return step;
    }

    private static JsonObject LatencyObject(LatencySummary latency) => new()
    {
        ["p50_ms"] = latency.P50, ["p99_ms"] = latency.P99, ["p999_ms"] = latency.P999, ["max_ms"] = latency.Max,
    };
}

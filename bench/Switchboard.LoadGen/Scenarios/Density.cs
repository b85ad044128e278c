namespace Switchboard.LoadGen.Scenarios;

/// <summary>Opens N connections and holds them: connect rate, failures, server memory and CPU per connection.</summary>
public static class Density
{
    public static async Task RunAsync(LoadOptions options)
    {
        var run = new Run(options, expectedDeliveries: 1);
        var report = new Report("density", options);
        await run.Rendezvous.AllReadyAsync("start");
        var (rssBefore, cpuBefore) = run.Server.Enabled ? (run.Server.ResidentKilobytes(), run.Server.CpuSeconds()) : (0, 0);

        var users = Enumerable.Range(0, options.Connections).Select(i => run.User("d", i)).ToList();
        var outcome = await run.ConnectAsync(users, report);
        var connected = outcome.Connections.Count;
        report.Add("connect_seconds", Report.Round(outcome.Elapsed.TotalSeconds))
            .Add("connects_per_s", Report.Round(connected / outcome.Elapsed.TotalSeconds));

        await run.Rendezvous.AllReadyAsync("connected");
        if (run.Server.Enabled)
        {
            var cpu = run.Server.CpuSeconds() - cpuBefore;
            await Task.Delay(options.Settle);
            var rssAfter = run.Server.ResidentKilobytes();
            report.Add("server_cpu_s_per_1000_connects", Report.Round(cpu * 1000 / Math.Max(1, connected)))
                .Add("rss_before_kb", rssBefore).Add("rss_after_kb", rssAfter);
            // With several processes the growth is everybody's: the script divides by the total.
            if (run.Rendezvous.Alone)
                report.Add("kb_per_connection", Report.Round((rssAfter - rssBefore) / (double)Math.Max(1, connected)));
        }
        report.Add("still_open", outcome.Connections.Count(c => c.State == System.Net.WebSockets.WebSocketState.Open));
        report.Print();
        await run.Rendezvous.AllReadyAsync("measured");
    }
}

using System.CommandLine;
using Spectre.Console;
using Spectre.Console.Rendering;
using Switchboard.Contracts;

namespace Switchboard.Cli.Commands;

/// <summary><c>top</c>: every node's load, redrawn from the node's once-a-second stream until <c>q</c> or Ctrl+C.</summary>
public static class TopCommand
{
    public static Command Create(CommandActions actions)
    {
        var top = new Command("top", "live per-node load (q or Ctrl+C to leave)");
        actions.Bind(top, async (c, cancel) =>
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            var samples = c.Client.StreamAsync<TopSample>(AdminRoutes.Top, stop.Token);
            if (c.Output.Json)
            {
                await foreach (var sample in samples)
                    c.Output.WriteLine(sample);
                return;
            }
            // The first sample before the live view, so that a refusal leaves nothing on stdout.
            await using var stream = samples.GetAsyncEnumerator(stop.Token);
            if (!await stream.MoveNextAsync())
                return;
            var keys = WatchForQuit(stop);
            try
            {
                await c.Output.Console.Live(View(stream.Current)).AutoClear(false).StartAsync(async live =>
                {
                    while (await stream.MoveNextAsync())
                    {
                        live.UpdateTarget(View(stream.Current));
                        live.Refresh();
                    }
                });
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // q or Ctrl+C: the last view stays on screen
            }
            finally
            {
                await stop.CancelAsync();
                await keys;
            }
        });
        return top;
    }

    // q ends the view; reading keys only where there is a keyboard, so that a redirected stdin is left alone.
    private static Task WatchForQuit(CancellationTokenSource stop)
    {
        if (System.Console.IsInputRedirected)
            return Task.CompletedTask;
        return Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                if (System.Console.KeyAvailable && System.Console.ReadKey(intercept: true).KeyChar is 'q' or 'Q')
                {
                    await stop.CancelAsync();
                    return;
                }
                await Task.Delay(50, CancellationToken.None);
            }
        });
    }

    private static IRenderable View(TopSample sample)
    {
        var table = Output.Table("node", "status", "conns", "in/s", "out/s", "deliv/s", "dropped", "slow closes", "cpu %", "memory")
            .Title($"sbctl top — {sample.At:HH:mm:ss} (q to quit)");
        foreach (var n in sample.Nodes)
            table.AddRow(Row(n, Output.Escape(n.Node), Output.Escape(n.Status)));
        table.AddRow(Row(sample.Totals, "[bold]total[/]", ""));
        if (sample.MissingNodes.Count > 0)
            table.Caption($"[yellow]no answer from {Output.Escape(string.Join(", ", sample.MissingNodes))}[/]");
        return table;
    }

    private static string[] Row(NodeTop n, string name, string status) =>
    [
        name, status, n.Connections.ToString(), n.MessagesInPerSecond.ToString("0.#"), n.MessagesOutPerSecond.ToString("0.#"),
        n.DeliveriesPerSecond.ToString("0.#"), n.Dropped.ToString(), n.ClosedSlow.ToString(), n.CpuPercent.ToString("0.#"),
        Megabytes(n.MemoryBytes),
    ];

    private static string Megabytes(long bytes) => $"{bytes / (1024.0 * 1024):0.#} MB";
}

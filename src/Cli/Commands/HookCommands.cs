using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Switchboard.Contracts;

namespace Switchboard.Cli.Commands;

/// <summary>
/// <c>hooks</c>: the application's hooks on every Up node (<c>GET admin/hooks</c>): where each is configured and how it is
/// reached, its calls per second over the last 10 s, its latency, failures and denials; then each over the cluster.
/// </summary>
public static class HookCommands
{
    public const string Off = "off";

    public static Command Create(CommandActions actions)
    {
        var hooks = new Command("hooks", "the application's hooks on every node: configured where, calls/s, latency, failures, denials");
        actions.Bind(hooks, async (c, cancel) =>
        {
            var view = await c.Client.GetAsync<HooksView>(AdminRoutes.Hooks, cancel);
            c.Output.Write(view, console => Render(console, view));
            c.Output.Missing(view);
        });
        return hooks;
    }

    private static void Render(IAnsiConsole console, HooksView view)
    {
        var configured = view.Cluster.Where(h => h.Configured).Select(h => h.Hook).ToList();
        if (configured.Count == 0)
        {
            console.MarkupLine(view.Nodes.Count == 0 ? "no node answered" : $"no hook is configured on any of {Output.Count(view.Nodes.Count, "node")}");
            return;
        }
        var nodes = Output.Table("node", "hook", "transport", "calls/s", "p50", "p99", "calls", "denied", "failures");
        foreach (var node in view.Nodes)
        {
            foreach (var h in node.Hooks.Where(h => configured.Contains(h.Hook)))
            {
                nodes.AddRow(h.Configured
                    ? [Output.Escape(node.Node), Output.Escape(h.Hook), Output.Escape(h.Transport), Rate(h.CallsPerSecond), Ms(h.P50Ms),
                        Ms(h.P99Ms), Number(h.Calls), Number(h.Denied), Failures(h.Failures)]
                    : [Output.Escape(node.Node), Output.Escape(h.Hook), Off, "", "", "", "", "", ""]);
            }
        }
        console.Write(nodes);
        var cluster = Output.Table("hook", "configured on", "calls/s", "p50", "p99", "calls", "denied", "failed", "timed out", "busy");
        foreach (var h in view.Cluster.Where(h => h.Configured))
        {
            var on = view.Nodes.Count(n => n.Hooks.Any(x => x.Hook == h.Hook && x.Configured));
            cluster.AddRow(Output.Escape(h.Hook), $"{on} of {view.Nodes.Count}", Rate(h.CallsPerSecond), Ms(h.P50Ms), Ms(h.P99Ms),
                Number(h.Calls), Number(h.Denied), Failures(h.Failed), Failures(h.TimedOut), Failures(h.Busy));
        }
        console.Write(cluster);
        var off = view.Cluster.Where(h => !h.Configured).Select(h => h.Hook).ToList();
        if (off.Count > 0)
            console.MarkupLine($"not configured on any node: {Output.Escape(string.Join(", ", off))}");
    }

    private static string Rate(double perSecond) => perSecond.ToString("0.0", CultureInfo.InvariantCulture);

    private static string Ms(double? ms) => ms switch
    {
        null => "-",
        >= 1000 => (ms.Value / 1000).ToString("0.##", CultureInfo.InvariantCulture) + " s",
        _ => ms.Value.ToString(ms < 10 ? "0.##" : "0", CultureInfo.InvariantCulture) + " ms",
    };

    private static string Number(long n) => n.ToString(CultureInfo.InvariantCulture);

    // A failure is worth the eye: red when there is any.
    private static string Failures(long n) => n == 0 ? "0" : $"[red]{Number(n)}[/]";
}

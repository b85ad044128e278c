using System.CommandLine;
using Spectre.Console;
using Switchboard.Contracts;

namespace Switchboard.Cli.Commands;

/// <summary><c>ratelimit show</c> and <c>ratelimit set</c>: the HTTP rate limiter's rates, read and replaced at run time.</summary>
public static class RateLimitCommands
{
    public static Command Create(CommandActions actions)
    {
        var show = new Command("show", "the rate and the per-route rates");
        actions.Bind(show, async (c, cancel) => Write(c, await c.Client.GetAsync<RateLimitView>(AdminRoutes.RateLimit, cancel)));

        var rate = new Option<string>("--rate") { Description = "the default rate, N-S, N-M, N-H or N-D (N per second, minute, hour or day), e.g. 100-S; \"off\" for none", HelpName = "R", Required = true };
        var routes = new Option<string[]>("--route")
        {
            Description = "a route's own rate, PATH=RATE; repeat for more",
            HelpName = "PATH=RATE",
            AllowMultipleArgumentsPerToken = false,
            DefaultValueFactory = _ => [],
        };
        routes.Validators.Add(result =>
        {
            var paths = new HashSet<string>(StringComparer.Ordinal);
            foreach (var pair in result.GetValueOrDefault<string[]>() ?? [])
            {
                if (pair.Split('=', 2) is not [{ Length: > 0 } path, { Length: > 0 }])
                    result.AddError($"--route takes PATH=RATE, not \"{pair}\"");
                // One rate a route: which of two the operator meant is not for sbctl to guess (it crashed on it before).
                else if (!paths.Add(path))
                    result.AddError($"--route gives {path} more than once");
            }
        });
        var yes = Confirmation.YesOption();
        var set = new Command("set", "replace the rates (every node)") { rate, routes, yes };
        actions.Bind(set, async (c, cancel) =>
        {
            var perRoute = c.Value(routes).Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
            var defaultRate = string.Equals(c.Value(rate), "off", StringComparison.OrdinalIgnoreCase) ? null : c.Value(rate);
            if (!c.Session.Confirm($"set the rate to {defaultRate ?? "unlimited"}", c.Value(yes)))
                return;
            Write(c, await c.Client.PutAsync<RateLimitView>(AdminRoutes.RateLimit, new RateLimitView(defaultRate, perRoute), cancel));
        });
        return new Command("ratelimit", "the HTTP rate limiter") { show, set };
    }

    private static void Write(CommandContext c, RateLimitView view)
    {
        c.Output.Write(view, console =>
        {
            var table = Output.Table("route", "rate");
            table.AddRow("(default)", Output.Escape(view.Rate ?? "unlimited"));
            foreach (var (route, rate) in view.PerRouteRates.OrderBy(p => p.Key, StringComparer.Ordinal))
                table.AddRow(Output.Escape(route), Output.Escape(rate));
            console.Write(table);
        });
        c.Output.Missing(view);
    }
}

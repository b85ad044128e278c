using System.Diagnostics;

namespace Switchboard.LoadGen;

/// <summary>What every scenario works with: the options, the hub's dialect, the connector and the probes.</summary>
public sealed class Run
{
    public Run(LoadOptions options, int expectedDeliveries)
    {
        Options = options;
        Dialect = HubDialect.For(options.Kind, options.JwtSecret);
        Deliveries = new Deliveries(Math.Max(1, expectedDeliveries));
        Connector = new Connector(options, Dialect, Deliveries);
        Server = new ServerProbe(options.ServerPids);
        Rendezvous = new Rendezvous(options);
    }

    public LoadOptions Options { get; }
    public HubDialect Dialect { get; }
    public Deliveries Deliveries { get; }
    public Connector Connector { get; }
    public ServerProbe Server { get; }
    public Rendezvous Rendezvous { get; }
    public HttpClient Api { get; } = new() { Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>A user name unique to this run and process.</summary>
    public string User(string role, int index) => $"{Options.RunId}-{Options.ProcessIndex}-{role}{index}";

    /// <summary>Connects, failing the scenario loudly when nothing connects.</summary>
    public async Task<Connector.Outcome> ConnectAsync(IReadOnlyList<string> users, Report report)
    {
        var outcome = await Connector.ConnectAsync(users);
        report.Add("connected", outcome.Connections.Count).Add("connect_failures", outcome.Failures);
        if (outcome.Errors.Count > 0)
            report.Add("connect_errors", string.Join(" | ", outcome.Errors.Distinct()));
        if (Dialect.KeepAlive is { } keepAlive)
            _ = KeepAliveAsync(outcome.Connections, keepAlive);
        return outcome;
    }

    /// <summary>Waits until <paramref name="count"/> deliveries arrived, or <paramref name="patience"/> passed without a new one.</summary>
    public async Task<bool> AwaitDeliveriesAsync(long count, TimeSpan patience)
    {
        var lastCount = -1L;
        var quietSince = Stopwatch.GetTimestamp();
        while (Deliveries.Count < count)
        {
            if (Deliveries.Count != lastCount)
            {
                lastCount = Deliveries.Count;
                quietSince = Stopwatch.GetTimestamp();
            }
            else if (Stopwatch.GetElapsedTime(quietSince) > patience)
                return false;
            await Task.Delay(1);
        }
        return true;
    }

    public async Task PostBroadcastAsync()
    {
        var (path, body) = Dialect.Broadcast(Stopwatch.GetTimestamp());
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        var response = await Api.PostAsync(new Uri(Options.Targets[0], path), content);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"broadcast refused: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    // SignalR closes a connection it has not heard from in 30 s; its clients ping every 15 s.
    private static async Task KeepAliveAsync(List<BenchConnection> connections, byte[] keepAlive)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(10));
        while (await timer.WaitForNextTickAsync())
            foreach (var connection in connections)
                await connection.SendAsync(keepAlive);
    }
}

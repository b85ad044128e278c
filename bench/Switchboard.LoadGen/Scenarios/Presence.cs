using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Switchboard.LoadGen.Scenarios;

/// <summary>
/// Joins and presence (Switchboard only). Every load generator's N connections join one group (<c>--group</c>, or one
/// named after the run id; <c>--group-prefix ns:</c> puts it in namespace <c>ns</c>), each with a <c>join</c> frame
/// with an <c>id</c>, at most <c>--concurrency</c> in flight per process: joins/s, join latency to the <c>ack</c>,
/// failures, server CPU per 1,000 joins (with <c>--server-pids</c>), presence frames received meanwhile. Then process 0
/// alone, with every process's members in: with <c>--compare-size S</c> it builds a second group of S members; with
/// <c>--asks A</c> it asks each group's <c>presence_stats</c> A times over the socket (from members on every node in
/// turn) and A times over HTTP (<c>GET /ws/groups/{name}/presence_stats</c>, every node in turn), one at a time,
/// interleaved group by group; with <c>--churn C</c> C fresh connections each join every group and leave it again,
/// one at a time: join latency (to the ack, which comes once the group's entity knows the member) and leave latency
/// (to the ack, which the node gives at once).
/// </summary>
public static class Presence
{
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(60);
    private const int WarmUpAsks = 10;

    public static async Task RunAsync(LoadOptions options)
    {
        if (options.Kind != HubKind.Switchboard)
            throw new ArgumentException("the presence scenario speaks to Switchboard only");
        var run = new Run(options, expectedDeliveries: 1);
        var report = new Report("presence", options);
        var lead = options.ProcessIndex == 0;
        var group = options.Group ?? $"{options.GroupPrefix}{options.RunId}-members";
        var compareGroup = $"{options.GroupPrefix}{options.RunId}-compare";
        var compareSize = lead ? options.CompareSize : 0;
        var churn = lead ? options.Churn : 0;

        var users = Enumerable.Range(0, options.Connections).Select(i => run.User("m", i))
            .Concat(Enumerable.Range(0, compareSize).Select(i => run.User("c", i)))
            .Concat(Enumerable.Range(0, churn).Select(i => run.User("j", i)))
            .ToList();
        await run.Rendezvous.AllReadyAsync("start");
        var outcome = await run.ConnectAsync(users, report);
        var byUser = outcome.Connections.ToDictionary(c => c.User);
        List<BenchConnection> Of(string role, int count) =>
            Enumerable.Range(0, count).Select(i => byUser.GetValueOrDefault(run.User(role, i))).OfType<BenchConnection>().ToList();
        var members = Of("m", options.Connections);
        await run.Rendezvous.AllReadyAsync("connected");

        var cpuBefore = run.Server.Enabled ? run.Server.CpuSeconds() : 0;
        var (eventsBefore, coalescedBefore) = (run.Deliveries.PresenceEvents, run.Deliveries.CoalescedStats);
        var joins = await JoinAllAsync(members, group, options.Concurrency);
        report.Add("group", group)
            .Add("joined", joins.Joined)
            .Add("join_failures", joins.Failures)
            .Add("join_seconds", Report.Round(joins.Elapsed.TotalSeconds))
            .Add("joins_per_s", Report.Round(joins.Joined / Math.Max(joins.Elapsed.TotalSeconds, 1e-9)))
            .Add("join_latency", LatencySummary.Of(joins.Latencies));
        if (joins.Errors.Count > 0)
            report.Add("join_errors", string.Join(" | ", joins.Errors));
        if (run.Server.Enabled)
            report.Add("server_cpu_ms_per_1000_joins", Report.Round((run.Server.CpuSeconds() - cpuBefore) * 1e6 / Math.Max(1, joins.Joined)));
        // Frames seen by this process's members while they joined: events go to every member, so they grow with the square.
        await Task.Delay(TimeSpan.FromSeconds(1.5)); // a coalesced presence_stats goes out at most a second after its events
        report.Add("presence_events_received", run.Deliveries.PresenceEvents - eventsBefore)
            .Add("coalesced_stats_received", run.Deliveries.CoalescedStats - coalescedBefore);

        var probes = new List<Probe> { new("main", group, members) };
        if (compareSize > 0)
        {
            var compare = Of("c", compareSize);
            var compareJoins = await JoinAllAsync(compare, compareGroup, options.Concurrency);
            report.Add("compare_joined", compareJoins.Joined).Add("compare_join_failures", compareJoins.Failures);
            probes.Add(new Probe("compare", compareGroup, compare));
        }
        await run.Rendezvous.AllReadyAsync("joined");

        if (lead && (options.Asks > 0 || churn > 0))
        {
            await Task.Delay(options.Settle);
            if (options.Asks > 0)
                await AskAsync(run, probes, options.Asks);
            if (churn > 0)
                await ChurnAsync(probes, Of("j", churn));
            if (options.Asks > 0)
            {
                // Every leave was acknowledged by the node before its group's entity took it: wait, then count again.
                await Task.Delay(TimeSpan.FromSeconds(2));
                foreach (var probe in probes)
                    probe.Figures["stats_after_churn"] = (await HttpStatsAsync(run, probe.Group, run.Options.Targets[0]))?.Data?.DeepClone();
            }
            var figures = new JsonObject();
            foreach (var probe in probes)
                figures[probe.Name] = probe.Figures;
            report.Add("probes", figures);
        }
        report.Add("still_open", outcome.Connections.Count(c => c.State == System.Net.WebSockets.WebSocketState.Open));
        report.Print();
        await run.Rendezvous.AllReadyAsync("measured");
    }

    private sealed record Probe(string Name, string Group, List<BenchConnection> Members)
    {
        public JsonObject Figures { get; } = new() { ["group"] = Group, ["local_members"] = Members.Count };
    }

    private sealed record JoinOutcome(int Joined, int Failures, TimeSpan Elapsed, long[] Latencies, List<string> Errors);

    /// <summary>Each connection joins <paramref name="group"/> once, at most <paramref name="concurrency"/> joins in flight.</summary>
    private static async Task<JoinOutcome> JoinAllAsync(IReadOnlyList<BenchConnection> connections, string group, int concurrency)
    {
        var latencies = new long[connections.Count];
        var errors = new List<string>();
        int next = -1, joined = 0, failures = 0;
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, Math.Min(Math.Max(1, concurrency), connections.Count)).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < connections.Count)
            {
                var (ticks, error) = await TimedAsync(connections[i], id => Join(group, id));
                if (error is null)
                {
                    latencies[Interlocked.Increment(ref joined) - 1] = ticks;
                    continue;
                }
                Interlocked.Increment(ref failures);
                lock (errors)
                    if (errors.Count < 5)
                        errors.Add(error);
            }
        }));
        var elapsed = Stopwatch.GetElapsedTime(started);
        var taken = latencies[..joined];
        Array.Sort(taken);
        return new JoinOutcome(joined, failures, elapsed, taken, errors);
    }

    /// <summary><paramref name="asks"/> rounds, each asking every group once over the socket and once over HTTP; after untimed warm-up rounds.</summary>
    private static async Task AskAsync(Run run, List<Probe> probes, int asks)
    {
        var targets = run.Options.Targets;
        var socketTimes = probes.ToDictionary(p => p.Name, _ => new List<long>());
        var httpTimes = probes.ToDictionary(p => p.Name, _ => new List<long>());
        var failures = probes.ToDictionary(p => p.Name, _ => 0);
        var lastAnswers = new Dictionary<string, JsonNode?>();
        for (var i = -WarmUpAsks; i < asks; i++)
        {
            var index = Math.Max(0, i) + WarmUpAsks; // the warm-up asks from every node too
            foreach (var probe in probes)
            {
                // Members i and i+1 are on consecutive nodes: the asks come from every node in turn.
                var asker = probe.Members[index % Math.Min(probe.Members.Count, targets.Count)];
                var sentAt = Stopwatch.GetTimestamp();
                var answer = await StatsAsync(asker, probe.Group);
                if (answer is null)
                    failures[probe.Name]++;
                else if (i >= 0)
                    socketTimes[probe.Name].Add(answer.Value.ReceivedAt - sentAt);
            }
            foreach (var probe in probes)
            {
                var sentAt = Stopwatch.GetTimestamp();
                var answer = await HttpStatsAsync(run, probe.Group, targets[index % targets.Count]);
                if (answer is null)
                    failures[probe.Name]++;
                else
                {
                    if (i >= 0)
                        httpTimes[probe.Name].Add(answer.Value.ReceivedAt - sentAt);
                    lastAnswers[probe.Name] = answer.Value.Data;
                }
            }
        }
        foreach (var probe in probes)
        {
            probe.Figures["asks"] = asks;
            probe.Figures["stats_answer"] = lastAnswers.GetValueOrDefault(probe.Name)?.DeepClone();
            probe.Figures["stats_failures"] = failures[probe.Name];
            probe.Figures["stats_socket"] = Latency(socketTimes[probe.Name]);
            probe.Figures["stats_http"] = Latency(httpTimes[probe.Name]);
        }
    }

    /// <summary>Each connection in turn joins every group and leaves it again, one request at a time.</summary>
    private static async Task ChurnAsync(List<Probe> probes, List<BenchConnection> joiners)
    {
        var joinTimes = probes.ToDictionary(p => p.Name, _ => new List<long>());
        var leaveTimes = probes.ToDictionary(p => p.Name, _ => new List<long>());
        var errors = probes.ToDictionary(p => p.Name, _ => new List<string>());
        for (var i = 0; i < joiners.Count; i++)
        {
            // Every other connection takes the groups in the other order, so that neither always goes first.
            foreach (var probe in i % 2 == 0 ? probes : Enumerable.Reverse(probes))
            {
                var (joinTicks, joinError) = await TimedAsync(joiners[i], id => Join(probe.Group, id));
                if (joinError is not null)
                {
                    errors[probe.Name].Add(joinError);
                    continue;
                }
                joinTimes[probe.Name].Add(joinTicks);
                var (leaveTicks, leaveError) = await TimedAsync(joiners[i], id => Leave(probe.Group, id));
                if (leaveError is not null)
                    errors[probe.Name].Add(leaveError);
                else
                    leaveTimes[probe.Name].Add(leaveTicks);
            }
        }
        foreach (var probe in probes)
        {
            probe.Figures["churn"] = joiners.Count;
            probe.Figures["churn_failures"] = errors[probe.Name].Count;
            if (errors[probe.Name].Count > 0)
                probe.Figures["churn_errors"] = string.Join(" | ", errors[probe.Name].Distinct().Take(5));
            probe.Figures["join"] = Latency(joinTimes[probe.Name]);
            probe.Figures["leave"] = Latency(leaveTimes[probe.Name]);
        }
    }

    /// <summary>The time from sending the frame to reading its reply, in Stopwatch ticks; or why there was no good reply.</summary>
    private static async Task<(long Ticks, string? Error)> TimedAsync(BenchConnection connection, Func<string, byte[]> frame)
    {
        var sentAt = Stopwatch.GetTimestamp();
        try
        {
            var reply = await connection.RequestAsync(frame, ReplyTimeout);
            return reply.IsError ? (0, reply.ToString()) : (reply.ReceivedAt - sentAt, null);
        }
        catch (TimeoutException)
        {
            return (0, "no reply within " + ReplyTimeout.TotalSeconds + " s");
        }
    }

    private static async Task<(long ReceivedAt, JsonNode? Data)?> StatsAsync(BenchConnection member, string group)
    {
        try
        {
            var reply = await member.RequestAsync(id => StatsFrame(group, id), ReplyTimeout);
            return reply.IsError ? null : (reply.ReceivedAt, JsonNode.Parse(reply.Frame)?["data"]);
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    private static async Task<(long ReceivedAt, JsonNode? Data)?> HttpStatsAsync(Run run, string group, Uri node)
    {
        try
        {
            using var response = await run.Api.GetAsync(new Uri(node, $"/ws/groups/{Uri.EscapeDataString(group)}/presence_stats"));
            var body = await response.Content.ReadAsByteArrayAsync();
            var receivedAt = Stopwatch.GetTimestamp();
            return response.IsSuccessStatusCode ? (receivedAt, JsonNode.Parse(body)) : null;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
        {
            return null;
        }
    }

    private static JsonObject Latency(List<long> ticks)
    {
        var sorted = ticks.ToArray();
        Array.Sort(sorted);
        var summary = LatencySummary.Of(sorted);
        return new JsonObject
        {
            ["count"] = sorted.Length, ["p50_ms"] = summary.P50, ["p99_ms"] = summary.P99, ["max_ms"] = summary.Max,
        };
    }

    private static byte[] Join(string group, string id) => Frame("join", group, id);
    private static byte[] Leave(string group, string id) => Frame("leave", group, id);
    private static byte[] StatsFrame(string group, string id) => Frame("presence_stats", group, id);

    private static byte[] Frame(string type, string group, string id) =>
        Encoding.UTF8.GetBytes($$"""{"type":"{{type}}","group":{{JsonSerializer.Serialize(group)}},"id":"{{id}}"}""");
}

using System.Text.Json;
using System.Threading.Channels;
using Akka.Actor;
using Akka.Cluster;
using Microsoft.AspNetCore.Http;
using Switchboard.Actors.Hub;
using Switchboard.Actors.Namespaces;
using Switchboard.Actors.Stats;
using Switchboard.Contracts;
using ClusterEvent = Switchboard.Contracts.ClusterEvent;

namespace Switchboard.Service.Admin;

/// <summary>
/// The admin API's streams, as server-sent events (<c>text/event-stream</c>, one <c>data: &lt;json&gt;</c> per event):
/// <c>cluster/events</c>, a <see cref="ClusterEvent"/> per membership or reachability event this node sees; <c>top</c>,
/// a <see cref="TopSample"/> every second with rates made from two snapshots of every member; and <c>dashboard</c>, a
/// <see cref="DashboardSample"/> every second for the dashboard page (with the hooks of every member). All run until the
/// client goes.
/// </summary>
public static class AdminStreams
{
    public static readonly TimeSpan TopInterval = TimeSpan.FromSeconds(1);

    public static async Task ClusterEventsAsync(HttpContext http, ActorSystem system, CancellationToken aborted)
    {
        // A reader that falls behind loses the oldest events rather than holding the feed actor up.
        var events = Channel.CreateBounded<ClusterEvent>(new BoundedChannelOptions(1024)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        await StartAsync(http);
        var feed = system.ActorOf(ClusterEventFeed.PropsFor(events.Writer));
        try
        {
            await foreach (var e in events.Reader.ReadAllAsync(aborted))
                await WriteAsync(http, e, aborted);
        }
        catch (OperationCanceledException)
        {
            // The client went.
        }
        finally
        {
            system.Stop(feed);
        }
    }

    public static Task TopAsync(HttpContext http, ActorSystem system, CancellationToken aborted)
    {
        var previous = new Dictionary<string, (NodeStatsSnapshot Stats, long At)>();
        return EverySecondAsync(http, () => SampleAsync(system, previous), aborted);
    }

    // How many groups the dashboard lists; each node names at most this many of its own.
    private const int DashboardGroups = 10;

    // The groups cost a question to every node and one to each candidate's entity, and change slowly: asked every
    // fifth sample rather than every one.
    private const int GroupsEvery = 5;

    // The users shown of each of those groups that keeps presence. Each such group costs its entity one presence page
    // (up to Presence:PageSize users) in the groups' round, of which only these few names are kept and the rest counted.
    private const int DashboardUsersPerGroup = 10;

    public static Task DashboardAsync(HttpContext http, ActorSystem system, ConnectionHub hub, NamespaceBook namespaces,
        CancellationToken aborted)
    {
        var previous = new Dictionary<string, (NodeStatsSnapshot Stats, long At)>();
        IReadOnlyList<GroupSummary> groups = [];
        IReadOnlyList<GroupUsers> users = [];
        var round = 0;
        return EverySecondAsync(http, async () =>
        {
            var top = SampleAsync(system, previous);
            var hooks = HookEndpoints.GatherAsync(system, ClusterGather.UpMembers(system), TopInterval);
            if (round++ % GroupsEvery == 0)
            {
                try
                {
                    groups = await GroupSizes.LargestAsync(system, hub, DashboardGroups, TopInterval);
                    users = await GroupPresence.FirstUsersAsync(hub, namespaces.Current, groups, DashboardUsersPerGroup, TopInterval);
                }
                catch (AskTimeoutException)
                {
                    // An entity that did not answer (its shard moving): the last list stands until the next round.
                }
            }
            var view = AdminEndpoints.ViewOf(system);
            return new DashboardSample(view.Self, view.Members, await top, groups, users,
                (await hooks).Cluster.Where(h => h.Configured).ToList());
        }, aborted);
    }

    // A sample every second until the client goes. The first round only takes the baseline the rates of the next are
    // made from.
    private static async Task EverySecondAsync<T>(HttpContext http, Func<Task<T>> sample, CancellationToken aborted)
    {
        await StartAsync(http);
        using var timer = new PeriodicTimer(TopInterval);
        try
        {
            var first = true;
            do
            {
                var next = await sample();
                if (!first)
                    await WriteAsync(http, next, aborted);
                first = false;
            } while (await timer.WaitForNextTickAsync(aborted));
        }
        catch (OperationCanceledException)
        {
            // The client went.
        }
    }

    private static async Task<TopSample> SampleAsync(ActorSystem system, Dictionary<string, (NodeStatsSnapshot Stats, long At)> previous)
    {
        var state = Cluster.Get(system).State;
        var unreachable = state.Unreachable.Select(m => m.Address).ToHashSet();
        var members = state.Members.Where(m => m.Status is not (MemberStatus.Removed or MemberStatus.Down or MemberStatus.Exiting)
                                               && !unreachable.Contains(m.Address)).ToList();
        var (snapshots, missing) = await ClusterGather.AskAllAsync<NodeStatsSnapshot>(system, NodeStatsReporter.Path, GetNodeStats.Instance,
            members, TopInterval);
        var now = Environment.TickCount64;
        var statusOf = state.Members.ToDictionary(m => ClusterGather.NodeOf(m.Address),
            m => unreachable.Contains(m.Address) ? "unreachable" : ClusterEventFeed.StatusOf(m.Status));
        var nodes = new List<NodeTop>();
        foreach (var s in snapshots.OrderBy(s => s.Node, StringComparer.Ordinal))
        {
            var seconds = 0.0;
            var before = s;
            if (previous.TryGetValue(s.Node, out var last) && now > last.At)
            {
                seconds = (now - last.At) / 1000.0;
                before = last.Stats;
            }
            double Rate(long current, long earlier) => seconds == 0 ? 0 : Math.Max(0, current - earlier) / seconds;
            nodes.Add(new NodeTop(s.Node, statusOf.GetValueOrDefault(s.Node, "unknown"), s.Connections,
                Rate(s.MessagesIn, before.MessagesIn), Rate(s.MessagesOut, before.MessagesOut), Rate(s.Delivered, before.Delivered),
                s.Dropped, s.ClosedSlow, seconds == 0 ? 0 : Math.Max(0, s.CpuTimeMs - before.CpuTimeMs) / (seconds * 10), s.MemoryBytes));
            previous[s.Node] = (s, now);
        }
        // Unreachable members are missing too, with their status in the list.
        missing.AddRange(state.Members.Where(m => unreachable.Contains(m.Address)).Select(m => ClusterGather.NodeOf(m.Address)));
        var totals = new NodeTop("total", $"{nodes.Count} nodes", nodes.Sum(n => n.Connections), nodes.Sum(n => n.MessagesInPerSecond),
            nodes.Sum(n => n.MessagesOutPerSecond), nodes.Sum(n => n.DeliveriesPerSecond), nodes.Sum(n => n.Dropped),
            nodes.Sum(n => n.ClosedSlow), nodes.Sum(n => n.CpuPercent), nodes.Sum(n => n.MemoryBytes));
        return new TopSample(DateTimeOffset.UtcNow, nodes, totals, missing.Order(StringComparer.Ordinal).ToList());
    }

    // The headers go out at once, so that a client sees the stream open before the first event.
    private static async Task StartAsync(HttpContext http)
    {
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        await http.Response.StartAsync(http.RequestAborted);
        await http.Response.Body.FlushAsync(http.RequestAborted);
    }

    private static async Task WriteAsync<T>(HttpContext http, T body, CancellationToken aborted)
    {
        var json = JsonSerializer.Serialize(body, AdminJson.Options);
        await http.Response.WriteAsync($"data: {json}\n\n", aborted);
        await http.Response.Body.FlushAsync(aborted);
    }
}

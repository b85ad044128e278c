using Microsoft.AspNetCore.Http;
using Switchboard.Cli.Tests.Support;
using Switchboard.Contracts;

namespace Switchboard.Cli.Tests;

/// <summary>Server-sent events (cluster tail, top): each event's data as a record, and a stream's failures as refusals.</summary>
public sealed class AdminClientStreamTests : WithLoopbackNode
{
    private static readonly DateTimeOffset At = new(2026, 3, 4, 5, 6, 7, TimeSpan.Zero);

    private AdminClient Client() => new(new NodeTarget(Node.Url, "/ws", "k", false));

    private static string Event(string type, string address) =>
        System.Text.Json.JsonSerializer.Serialize(new ClusterEvent(At, type, address, null), AdminJson.Options);

    private async Task<List<ClusterEvent>> ReadAllAsync()
    {
        using var client = Client();
        var events = new List<ClusterEvent>();
        await foreach (var e in client.StreamAsync<ClusterEvent>(AdminRoutes.ClusterEvents, CancellationToken.None))
            events.Add(e);
        return events;
    }

    [Fact]
    public async Task Each_event_is_read_in_order_until_the_node_ends_the_stream()
    {
        Node.On("GET", "/ws/admin/cluster/events", c => LoopbackNode.WriteEventsAsync(c, Event("member_up", "a"), Event("unreachable", "b")));

        var events = await ReadAllAsync();

        Assert.Equal([new ClusterEvent(At, "member_up", "a", null), new ClusterEvent(At, "unreachable", "b", null)], events);
        var request = Assert.Single(Node.Requests);
        Assert.Equal("text/event-stream", request.Accept);
        Assert.Equal("Bearer k", request.Authorization);
    }

    [Fact]
    public async Task Events_without_data_are_passed_over()
    {
        // A keep-alive: an event whose data is blank.
        Node.On("GET", "/ws/admin/cluster/events", c => LoopbackNode.WriteEventsAsync(c, " ", Event("member_up", "a")));

        Assert.Equal("a", Assert.Single(await ReadAllAsync()).Address);
    }

    [Fact]
    public async Task An_event_that_is_not_the_expected_json_is_a_refusal()
    {
        Node.On("GET", "/ws/admin/cluster/events", c => LoopbackNode.WriteEventsAsync(c, "not json"));

        var refusal = await Assert.ThrowsAsync<NodeRefusedException>(ReadAllAsync);

        Assert.StartsWith("an event of /admin/cluster/events is not the expected JSON: ", refusal.Message);
    }

    [Fact]
    public async Task A_stream_refused_at_its_start_is_told_in_the_nodes_words()
    {
        Node.Refuse("GET", "/ws/admin/cluster/events", 403, "forbidden", "the key lacks the admin scope");

        var refusal = await Assert.ThrowsAsync<NodeRefusedException>(ReadAllAsync);

        Assert.Equal("the key lacks the admin scope (forbidden, HTTP 403)", refusal.Message);
    }

    [Fact]
    public async Task A_stream_cut_off_mid_way_is_a_refusal_after_the_events_before_it()
    {
        var read = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Node.On("GET", "/ws/admin/cluster/events", async c =>
        {
            await LoopbackNode.WriteEventsAsync(c, Event("member_up", "a"));
            // Cut once the event is read: a reset may otherwise drop what the client had not read yet.
            await read.Task;
            c.Abort(); // as a node that stops, or a network that fails
        });
        using var client = Client();
        var events = new List<ClusterEvent>();

        var refusal = await Assert.ThrowsAsync<NodeRefusedException>(async () =>
        {
            await foreach (var e in client.StreamAsync<ClusterEvent>(AdminRoutes.ClusterEvents, CancellationToken.None))
            {
                events.Add(e);
                read.TrySetResult();
            }
        });

        Assert.Equal("a", Assert.Single(events).Address);
        Assert.StartsWith($"the stream /admin/cluster/events from {Node.Url} broke off: ", refusal.Message);
    }

    [Fact]
    public async Task A_stream_the_operator_stops_ends_without_a_refusal()
    {
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Node.On("GET", "/ws/admin/cluster/events", async c =>
        {
            await LoopbackNode.WriteEventsAsync(c, Event("member_up", "a"));
            arrived.SetResult();
            await Task.Delay(Timeout.Infinite, c.RequestAborted);
        });
        using var client = Client();
        using var cancel = new CancellationTokenSource();
        var events = new List<ClusterEvent>();

        var thrown = await Record.ExceptionAsync(async () =>
        {
            await foreach (var e in client.StreamAsync<ClusterEvent>(AdminRoutes.ClusterEvents, cancel.Token))
            {
                events.Add(e);
                await arrived.Task;
                await cancel.CancelAsync();
            }
        });

        Assert.Single(events);
        Assert.True(thrown is null or OperationCanceledException, thrown?.ToString());
    }
}

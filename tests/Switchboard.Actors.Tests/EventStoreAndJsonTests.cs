using System.Text;
using System.Text.Json;
using Switchboard.Actors.Events;
using static Switchboard.Actors.Events.EventsProtocol;

namespace Switchboard.Actors.Tests;

/// <summary>The memory store's bound and positions, and the events' JSON as the contract spells it.</summary>
public sealed class EventStoreAndJsonTests
{
    private static StoredEvent Event(int i) => new(Encoding.UTF8.GetBytes($"{{\"n\":{i}}}"));

    private static int[] Numbers(PendingEvents pending) =>
        pending.Events.Select(e => JsonDocument.Parse(e).RootElement.GetProperty("n").GetInt32()).ToArray();

    [Fact]
    public async Task Past_the_bound_the_oldest_go_counted_unreported_until_a_report_of_them_is_taken()
    {
        var store = new MemoryEventStore();
        var appended = await store.AppendAsync(Enumerable.Range(0, 8).Select(Event).ToList(), maxPending: 5, droppedBefore: 1);
        Assert.Equal(new EventsAppended(5, 4), appended);
        var pending = await store.PeekAsync(3);
        Assert.Equal((3L, 4L, 5L), (pending.Head, pending.Unreported, pending.Pending));
        Assert.Equal(new[] { 3, 4, 5 }, Numbers(pending));
        Assert.Equal(2, await store.RemoveAsync(pending.Head + 3, reported: 4));
        Assert.Equal(0, (await store.PeekAsync(3)).Unreported);
    }

    [Fact]
    public async Task A_batch_partly_dropped_while_it_was_out_is_not_removed_twice()
    {
        var store = new MemoryEventStore();
        await store.AppendAsync(Enumerable.Range(0, 4).Select(Event).ToList(), maxPending: 4, droppedBefore: 0);
        var batch = await store.PeekAsync(2); // 0, 1
        await store.AppendAsync([Event(4), Event(5), Event(6)], maxPending: 4, droppedBefore: 0); // drops 0, 1, 2
        Assert.Equal(4, await store.RemoveAsync(batch.Head + batch.Events.Count, reported: 0));
        var left = await store.PeekAsync(10);
        Assert.Equal(new[] { 3, 4, 5, 6 }, Numbers(left));
    }

    [Fact]
    public void Events_carry_the_contracts_fields_with_info_and_the_close()
    {
        var at = DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_123);
        var joined = JsonDocument.Parse(EventJson.Of("n/1/1", new Joined("alice", "c1", "g1", """{"name":"Alice"}"""u8.ToArray(), at), "127.0.0.1:1")).RootElement;
        Assert.Equal("""{"id":"n/1/1","type":"joined","user_id":"alice","connection_id":"c1","node":"127.0.0.1:1","group":"g1","at":1800000000123,"data":{"info":{"name":"Alice"}}}""",
            joined.GetRawText());
        var closed = JsonDocument.Parse(EventJson.Of("n/1/2", new Disconnected("alice", "c1", 1008, "kicked", 42, at), "127.0.0.1:1")).RootElement;
        Assert.Equal(JsonValueKind.Null, closed.GetProperty("group").ValueKind);
        Assert.Equal("""{"code":1008,"reason":"kicked","duration_ms":42}""", closed.GetProperty("data").GetRawText());
        Assert.Equal("""{"id":"x","type":"node_down","node":"10.0.0.2:4053","at":1800000000123}""",
            Encoding.UTF8.GetString(EventJson.NodeDown("x", "10.0.0.2:4053", at)));
        Assert.Equal("""{"events":[{"a":1},{"b":2}]}""", Encoding.UTF8.GetString(EventJson.Batch([[.. "{\"a\":1}"u8], [.. "{\"b\":2}"u8]])));
    }
}

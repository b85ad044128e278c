using System.Text.Json;
using Akka.Actor;
using Switchboard.Actors.Routing;
using Switchboard.Actors.Routing.State;
using static Switchboard.Actors.Routing.GroupProtocol;

namespace Switchboard.Actors.Tests;

/// <summary>What a group's state says of presence, without an actor: the pages, the counts, who left and whether last.</summary>
public sealed class GroupPresenceStateTests
{
    private readonly IActorRef _node1 = new TestNode("node1");
    private readonly IActorRef _node2 = new TestNode("node2");
    private readonly GroupState _state;

    public GroupPresenceStateTests() => _state = new GroupState("g", node => ((TestNode)node).Path.Name);

    private static JsonElement Json(byte[] data) => JsonDocument.Parse(data).RootElement;

    [Fact]
    public void A_page_lists_users_in_order_with_each_connection_its_node_and_its_info()
    {
        _state.Join(new AddMember("g", "ben", "c1", _node1));
        _state.Join(new AddMember("g", "ann", "c2", _node1, Info: """{"name":"Ann"}"""u8.ToArray()));
        _state.Join(new AddMember("g", "ann", "c3", _node2));

        var page = Json(_state.PresencePage(null, 1000));
        Assert.True(page.GetProperty("complete").GetBoolean());
        Assert.False(page.TryGetProperty("cursor", out _));
        var users = page.GetProperty("users").EnumerateObject().ToList();
        Assert.Equal(["ann", "ben"], users.Select(u => u.Name));
        var ann = users[0].Value.EnumerateArray().ToList();
        Assert.Equal(["c2", "c3"], ann.Select(c => c.GetProperty("connection_id").GetString()));
        Assert.Equal(["node1", "node2"], ann.Select(c => c.GetProperty("node").GetString()));
        Assert.Equal("Ann", ann[0].GetProperty("info").GetProperty("name").GetString());
        Assert.False(ann[1].TryGetProperty("info", out _));
    }

    [Fact]
    public void Pages_go_on_from_their_cursor_until_complete_and_name_every_user_once()
    {
        for (var i = 0; i < 25; i++)
            _state.Join(new AddMember("g", $"u{i:D3}", $"c{i}", _node1));
        var seen = new List<string>();
        string? cursor = null;
        for (var pages = 0; ; pages++)
        {
            Assert.True(pages < 3);
            var page = Json(_state.PresencePage(cursor, 10));
            seen.AddRange(page.GetProperty("users").EnumerateObject().Select(u => u.Name));
            if (page.GetProperty("complete").GetBoolean())
                break;
            cursor = page.GetProperty("cursor").GetString();
        }
        Assert.Equal(Enumerable.Range(0, 25).Select(i => $"u{i:D3}"), seen);
    }

    [Fact]
    public void Stats_count_users_and_connections()
    {
        _state.Join(new AddMember("g", "ann", "c1", _node1));
        _state.Join(new AddMember("g", "ann", "c2", _node2));
        _state.Join(new AddMember("g", "ben", "c3", _node2));
        var stats = Json(_state.PresenceStats());
        Assert.Equal((2, 3), (stats.GetProperty("users").GetInt32(), stats.GetProperty("connections").GetInt32()));
    }

    [Fact]
    public void A_leave_says_whether_it_was_the_users_last_connection()
    {
        _state.Join(new AddMember("g", "ann", "c1", _node1));
        _state.Join(new AddMember("g", "ann", "c2", _node2));
        Assert.False(_state.Leave("c1")!.Last);
        Assert.True(_state.Leave("c2")!.Last);
        Assert.Null(_state.Leave("c2"));
        Assert.Equal(0, _state.Users);
    }

    [Fact]
    public void A_lost_node_takes_its_members_and_only_them()
    {
        _state.Join(new AddMember("g", "ann", "c1", _node1));
        _state.Join(new AddMember("g", "ann", "c2", _node2));
        _state.Join(new AddMember("g", "ben", "c3", _node2));
        var lost = _state.NodeLost(_node2);
        Assert.Equal([("c2", false), ("c3", true)], lost.Select(d => (d.ConnectionId, d.Last)).OrderBy(d => d.ConnectionId));
        Assert.Equal((1, 1), (_state.Users, _state.Connections));
    }

    [Fact]
    public void The_members_recovered_from_a_node_keep_their_info()
    {
        _state.Recover(new RegistryProtocol.GroupFound("g", ["ann", "c1", "ben", "c2"], _node1, 1, [[], """{"a":1}"""u8.ToArray()]));
        Assert.Null(_state.Find("c1")!.Info);
        Assert.Equal("""{"a":1}""", System.Text.Encoding.UTF8.GetString(_state.Find("c2")!.Info!));
    }

    [Fact]
    public void Full_counts_connections_and_zero_is_no_bound()
    {
        _state.Join(new AddMember("g", "ann", "c1", _node1));
        _state.Join(new AddMember("g", "ann", "c2", _node1));
        Assert.True(_state.IsFull(2));
        Assert.False(_state.IsFull(3));
        Assert.False(_state.IsFull(0));
    }
}

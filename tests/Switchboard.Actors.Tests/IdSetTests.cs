using Switchboard.Actors.Delivery.State;
using Switchboard.Actors.Delivery;

namespace Switchboard.Actors.Tests;

public sealed class IdSetTests
{
    [Fact]
    public void Holds_one_then_many_then_none_as_a_set_does()
    {
        var ids = new IdSet();
        Assert.True(ids.Add("a"));
        Assert.False(ids.Add("a"));
        Assert.Equal(["a"], ids);
        Assert.True(ids.Add("b"));
        Assert.True(ids.Add("c"));
        Assert.Equal(["a", "b", "c"], ids.Order());
        Assert.True(ids.Remove("b"));
        Assert.False(ids.Remove("b"));
        Assert.True(ids.Remove("a"));
        Assert.True(ids.Remove("c"));
        Assert.Equal(0, ids.Count);
        Assert.Empty(ids);
        Assert.False(ids.Remove("a"));
    }
}

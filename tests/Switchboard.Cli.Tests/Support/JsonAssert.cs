using System.Text.Json;
using System.Text.Json.Nodes;
using Switchboard.Contracts;

namespace Switchboard.Cli.Tests.Support;

public static class JsonAssert
{
    /// <summary><paramref name="written"/> is one JSON document equal to <paramref name="expected"/> as the admin API writes it.</summary>
    public static void SameAs<T>(T expected, string written)
    {
        var want = JsonSerializer.SerializeToNode(expected, AdminJson.Options);
        var got = JsonNode.Parse(written);
        Assert.True(JsonNode.DeepEquals(want, got), $"expected\n{want}\nbut sbctl wrote\n{written}");
    }
}

using System.Text;
using Switchboard.Service.RateLimiting;

namespace Switchboard.Service.Tests;

public sealed class RoutePathTests
{
    [Theory]
    [InlineData("/ws/message", "/ws/message")]
    [InlineData("/WS/Message", "/ws/message")]
    [InlineData("/ws/message/", "/ws/message")]
    [InlineData("//ws//message//", "/ws/message")]
    [InlineData("/ws/./message", "/ws/message")]
    [InlineData("/ws/x/../message", "/ws/message")]
    [InlineData("/ws/message/.", "/ws/message")]
    [InlineData("/ws/x/y/../../message/z/..", "/ws/message")]
    [InlineData("/../../ws/message", "/ws/message")] // never above the root
    [InlineData("/ws/..", "/")]
    [InlineData("/", "/")]
    [InlineData("//", "/")]
    [InlineData("", "/")]
    [InlineData(null, "/")]
    [InlineData("ws/message", "/ws/message")] // a configured route without its leading slash
    [InlineData("/ws/.../.hidden", "/ws/.../.hidden")] // not dot segments
    [InlineData("/ws/users/ΣΟΦΟΣ", "/ws/users/σοφοσ")]
    public void Every_spelling_of_a_path_normalises_to_one(string? path, string expected) =>
        Assert.Equal(expected, RoutePath.Normalize(path));

    [Theory]
    [InlineData("/ws/message")]
    [InlineData("/")]
    [InlineData("/.well-known/x")] // looked at closely, for a dot segment
    [InlineData("/ws/users/josé")] // looked at closely, for case
    public void A_normalised_path_is_returned_itself_without_allocating(string path)
    {
        var longer = path.TrimEnd('/') + "/" + new string('a', 1000); // folded in a pooled buffer, not on the stack
        foreach (var normal in new[] { path, longer })
        {
            RoutePath.Normalize(normal); // the pool's first rent of a size allocates
            var before = GC.GetAllocatedBytesForCurrentThread();
            var normalised = RoutePath.Normalize(normal);
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
            Assert.Same(normal, normalised);
        }
    }

    [Fact]
    public void A_long_path_normalises_as_a_short_one_does() =>
        Assert.Equal("/ws/" + new string('a', 5000), RoutePath.Normalize("//WS/./" + new string('A', 5000) + "/"));

    [Fact]
    public void Characters_that_routing_equates_normalise_alike()
    {
        // Routing matches literal segments with OrdinalIgnoreCase: any two characters it equates must share a bucket. Beyond
        // the BMP it cases by .NET's own Unicode tables, RoutePath by the system's ICU, which may predate a script (ICU 72
        // has no Garay): characters ICU leaves uncased are the documented exception.
        var normalisedByClass = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var scalar = 0; scalar <= 0x10FFFF; scalar++)
        {
            if (!Rune.IsValid(scalar) || (scalar > 0xFFFF && UncasedByIcu(new Rune(scalar))))
                continue;
            var text = char.ConvertFromUtf32(scalar);
            var normalised = RoutePath.Normalize("/" + text);
            if (!normalisedByClass.TryAdd(text, normalised))
                Assert.True(normalisedByClass[text] == normalised, $"U+{scalar:X4} normalises to {normalised}, another spelling to {normalisedByClass[text]}");
        }
    }

    private static bool UncasedByIcu(Rune rune) => Rune.ToUpperInvariant(rune) == rune && Rune.ToLowerInvariant(rune) == rune;
}

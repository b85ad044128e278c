using Switchboard.Cli.Commands;

namespace Switchboard.Cli.Tests;

/// <summary>How a listing is followed page by page: up to --limit, to the last page, and never forever.</summary>
public sealed class PagingTests
{
    private sealed record Asked(string? After, int? Size);

    /// <summary>A listing that answers each <c>after</c> with its page; <see cref="Asks"/> records what it was asked.</summary>
    private sealed class Listing(Dictionary<string, (string[] Items, string? Next, string[] Missing)> pages)
    {
        public List<Asked> Asks { get; } = [];

        public Task<(IReadOnlyList<string> Items, string? Next, IReadOnlyList<string> Missing)> PageAsync(string? after, int? size)
        {
            Asks.Add(new Asked(after, size));
            var (items, next, missing) = pages[after ?? ""];
            IReadOnlyList<string> sized = size is { } n ? items.Take(n).ToArray() : items;
            return Task.FromResult((sized, next, (IReadOnlyList<string>)missing));
        }
    }

    private static Listing ThreePages() => new(new()
    {
        [""] = (["a", "b"], "b", []),
        ["b"] = (["c", "d"], "d", []),
        ["d"] = (["e"], null, []),
    });

    [Fact]
    public async Task Without_a_limit_every_page_is_followed_to_the_last()
    {
        var listing = ThreePages();

        var all = await Paging.AllAsync<string>(null, listing.PageAsync);

        Assert.Equal(["a", "b", "c", "d", "e"], all.Items);
        Assert.Null(all.Next);
        Assert.Equal([new Asked(null, null), new Asked("b", null), new Asked("d", null)], listing.Asks);
    }

    [Fact]
    public async Task With_a_limit_each_page_asks_for_what_is_still_wanted_and_the_next_is_kept()
    {
        var listing = ThreePages();

        var some = await Paging.AllAsync<string>(3, listing.PageAsync);

        Assert.Equal(["a", "b", "c"], some.Items);
        Assert.Equal("d", some.Next);
        Assert.Equal([new Asked(null, 3), new Asked("b", 1)], listing.Asks);
    }

    [Fact]
    public async Task A_page_larger_than_asked_is_cut_to_the_limit()
    {
        var listing = new Listing(new() { [""] = (["a", "b", "c"], "c", []) });

        // A node that ignores the size it was asked for still gives no more than --limit.
        var some = await Paging.AllAsync<string>(2, (after, _) => listing.PageAsync(after, null));

        Assert.Equal(["a", "b"], some.Items);
        Assert.Equal("c", some.Next);
    }

    [Fact]
    public async Task A_limit_above_the_total_ends_at_the_last_page()
    {
        var all = await Paging.AllAsync<string>(100, ThreePages().PageAsync);

        Assert.Equal(5, all.Items.Count);
        Assert.Null(all.Next);
    }

    [Fact]
    public async Task An_empty_page_with_a_next_ends_the_listing()
    {
        var listing = new Listing(new() { [""] = (["a"], "a", []), ["a"] = ([], "z", []) });

        var all = await Paging.AllAsync<string>(null, listing.PageAsync);

        Assert.Equal(["a"], all.Items);
        Assert.Equal(2, listing.Asks.Count);
    }

    [Fact]
    public async Task A_next_that_names_the_page_just_read_ends_the_listing()
    {
        var listing = new Listing(new() { [""] = (["a"], "a", []), ["a"] = (["b"], "a", []) });

        var all = await Paging.AllAsync<string>(null, listing.PageAsync);

        Assert.Equal(["a", "b"], all.Items);
        Assert.Equal(2, listing.Asks.Count);
    }

    [Fact]
    public async Task The_nodes_missing_from_any_page_are_gathered_once_each_in_order()
    {
        var listing = new Listing(new()
        {
            [""] = (["a"], "a", ["n3", "n1"]),
            ["a"] = (["b"], null, ["n1", "n2"]),
        });

        var all = await Paging.AllAsync<string>(null, listing.PageAsync);

        Assert.Equal(["n1", "n2", "n3"], all.Missing);
    }

    [Fact]
    public async Task An_empty_listing_is_one_request()
    {
        var listing = new Listing(new() { [""] = ([], null, []) });

        var all = await Paging.AllAsync<string>(10, listing.PageAsync);

        Assert.Empty(all.Items);
        Assert.Null(all.Next);
        Assert.Single(listing.Asks);
    }
}

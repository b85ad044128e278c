namespace Switchboard.Cli.Commands;

/// <summary>Follows a listing's <c>next</c> until its last page or until <c>--limit</c> items are in hand.</summary>
public static class Paging
{
    public sealed record Collected<T>(IReadOnlyList<T> Items, string? Next, IReadOnlyList<string> Missing);

    public static async Task<Collected<T>> AllAsync<T>(int? limit,
        Func<string?, int?, Task<(IReadOnlyList<T> Items, string? Next, IReadOnlyList<string> Missing)>> page)
    {
        var items = new List<T>();
        var missing = new SortedSet<string>(StringComparer.Ordinal);
        string? after = null;
        while (true)
        {
            var (got, next, silent) = await page(after, limit - items.Count);
            items.AddRange(limit is { } max ? got.Take(max - items.Count) : got);
            missing.UnionWith(silent);
            // A node that answers with an empty page and a next would otherwise be asked forever.
            if (next is null || next == after || got.Count == 0 || items.Count >= limit)
                return new Collected<T>(items, next, [.. missing]);
            after = next;
        }
    }
}

using System.Net.Http.Json;
using System.Text.Json;

namespace Switchboard.IntegrationTests.Support;

/// <summary>What the test backend took of the lifecycle events, read as the contract says: by id (duplicates are allowed), per connection.</summary>
public static class LifecycleEvents
{
    /// <summary>A hang guard above the longest backoff (60 s) a batch may wait after the backend came back, not a speed.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(120);

    public static string Type(this JsonElement e) => e.GetProperty("type").GetString()!;

    public static string? Str(this JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// <summary>Each event once, the first time it came, in the order they came.</summary>
    public static List<JsonElement> Distinct(IEnumerable<JsonElement> events)
    {
        var seen = new HashSet<string>();
        return events.Where(e => seen.Add(e.GetProperty("id").GetString()!)).ToList();
    }

    /// <summary>A connection's events, once each, in the order they first came: "connected", "joined:g1", ...</summary>
    public static List<string> Line(IEnumerable<JsonElement> events, string connectionId) =>
        Distinct(events).Where(e => e.Str("connection_id") == connectionId)
            .Select(e => e.Str("group") is { } g ? $"{e.Type()}:{g}" : e.Type()).ToList();

    /// <summary>Waits until <paramref name="done"/> holds for what the backend took; returns that.</summary>
    public static async Task<JsonElement[]> UntilAsync(TestBackend backend, Func<JsonElement[], bool> done, string what)
    {
        var giveUp = DateTime.UtcNow + Deadline;
        while (true)
        {
            var events = await backend.EventsAsync();
            if (done(events))
                return events;
            if (DateTime.UtcNow > giveUp)
                throw new TimeoutException($"gave up waiting until {what}; the backend took {events.Length} events");
            await Task.Delay(100);
        }
    }

    /// <summary>The node's <c>events</c> figures in <c>GET /ws/stats</c>.</summary>
    public static async Task<JsonElement> StatsAsync(ServiceProcess node)
    {
        using var http = new HttpClient();
        var stats = await http.GetFromJsonAsync<JsonElement>(new Uri(node.BaseUri, "/ws/stats"));
        return stats.GetProperty("events");
    }

    /// <summary>The settings that send a node's events to <paramref name="backend"/>, signed with its secret.</summary>
    public static Dictionary<string, string> Settings(TestBackend backend, params (string Name, string Value)[] more)
    {
        var settings = new Dictionary<string, string> { ["Hooks__Secrets"] = TestBackend.Secret, ["Events__Url"] = backend.EventsUrl };
        foreach (var (name, value) in more)
            settings[name] = value;
        return settings;
    }
}

using Microsoft.Extensions.Configuration;
using Switchboard.Actors.Events;
using Switchboard.Service.Events;
using Switchboard.Service.Settings;

namespace Switchboard.Service.Tests;

/// <summary>The <c>Events</c> section: off by default, its defaults, and every bad value reported at once with its path.</summary>
public sealed class EventsSettingsTests
{
    private const string Secret = "a-secret-of-at-least-32-bytes-0123456789";

    private static EventsSettings Load(Dictionary<string, string?> values) =>
        EventsSettingsLoader.Load(new ConfigurationBuilder().AddInMemoryCollection(values).Build());

    [Fact]
    public void Without_a_url_events_are_off_and_the_defaults_hold()
    {
        var settings = Load([]);
        Assert.Null(settings.Url);
        Assert.Equal((100, 100_000, "memory", TimeSpan.FromSeconds(10), "switchboard:events:"),
            (settings.Options.BatchSize, settings.Options.MaxPending, settings.Store, settings.Timeout, settings.Prefix));
        Assert.Equal(EventsOptions.Default, settings.Options);
    }

    [Fact]
    public void Each_setting_is_read_from_its_path()
    {
        var settings = Load(new()
        {
            ["Hooks:Secrets"] = Secret, ["Events:Url"] = "https://app.example/events", ["Events:BatchSize"] = "20",
            ["Events:MaxPending"] = "500", ["Events:Timeout"] = "2.5", ["Events:Store"] = "Redis", ["Events:Redis"] = "127.0.0.1:6379",
            ["Events:Prefix"] = "sb:ev:",
        });
        Assert.Equal((new Uri("https://app.example/events"), 20, 500, TimeSpan.FromSeconds(2.5), "redis", "127.0.0.1:6379", "sb:ev:"),
            (settings.Url, settings.Options.BatchSize, settings.Options.MaxPending, settings.Timeout, settings.Store, settings.Redis, settings.Prefix));
        Assert.Single(settings.Secrets);
    }

    [Fact]
    public void Every_bad_value_is_reported_at_once_and_a_url_without_secrets_stops_start_up()
    {
        var refused = Assert.Throws<SwitchboardSettingsException>(() => Load(new()
        {
            ["Events:Url"] = "ftp://app/events", ["Events:BatchSize"] = "0", ["Events:MaxPending"] = "many", ["Events:Timeout"] = "0",
            ["Events:Store"] = "disk", ["Events:Prefix"] = " ", ["Events:Urll"] = "x",
        }));
        Assert.Equal(7, refused.Problems.Count);
        Assert.Contains(refused.Problems, p => p.StartsWith("Events:Url=\"ftp://app/events\""));
        Assert.Contains(refused.Problems, p => p.StartsWith("Events:BatchSize=\"0\""));
        Assert.Contains(refused.Problems, p => p.StartsWith("Events:MaxPending=\"many\""));
        Assert.Contains(refused.Problems, p => p.StartsWith("Events:Timeout=\"0\""));
        Assert.Contains(refused.Problems, p => p.StartsWith("Events:Store=\"disk\""));
        Assert.Contains(refused.Problems, p => p.StartsWith("Events:Prefix is empty"));
        Assert.Contains(refused.Problems, p => p.StartsWith("Events:Urll: not a setting of Events"));

        var unsigned = Assert.Throws<SwitchboardSettingsException>(() => Load(new() { ["Events:Url"] = "http://127.0.0.1/events" }));
        Assert.StartsWith("Events:Url: every batch of events is signed", Assert.Single(unsigned.Problems));
        var redis = Assert.Throws<SwitchboardSettingsException>(() => Load(new() { ["Hooks:Secrets"] = Secret, ["Events:Store"] = "redis" }));
        Assert.StartsWith("Events:Redis: must be set", Assert.Single(redis.Problems));
    }
}

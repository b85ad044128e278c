using Microsoft.Extensions.Configuration;
using Switchboard.Actors.Events;
using Switchboard.Service.Hooks;
using Switchboard.Service.Settings;
using static Switchboard.Service.Settings.ConfigurationValues;

namespace Switchboard.Service.Events;

/// <summary>The <c>Events</c> section: where lifecycle events go, how they are batched, where they wait (docs/hooks.md).</summary>
/// <param name="Url">Where batches are POSTed; null, and no event is made at all, when not set.</param>
/// <param name="Timeout">How long one POST may take before it counts as failed (and is made again).</param>
/// <param name="Redis">The Redis connection of <c>Events:Store=redis</c>; <paramref name="Prefix"/> begins its keys.</param>
/// <param name="Secrets">The <c>Hooks:Secrets</c> that sign each batch.</param>
public sealed record EventsSettings(Uri? Url, EventsOptions Options, TimeSpan Timeout, string Store, string? Redis, string Prefix,
    IReadOnlyList<byte[]> Secrets)
{
    public const string SectionName = "Events";
    public const string DefaultPrefix = "switchboard:events:";
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);
}

/// <summary>
/// Builds <see cref="EventsSettings"/> from the <c>Events</c> section, reporting every bad value at once with its path as the
/// other loaders do; <c>Events:Url</c> without <c>Hooks:Secrets</c> stops start-up (every batch is signed).
/// </summary>
public static class EventsSettingsLoader
{
    public const int MaxBatchSize = 10_000;
    public const int MaxPendingBound = 10_000_000;
    public const int MaxTimeoutSeconds = 60;

    private static readonly string[] Keys = ["Url", "BatchSize", "MaxPending", "Timeout", "Store", "Redis", "Prefix"];

    /// <exception cref="SwitchboardSettingsException">A value does not parse, is out of range, or a name is unknown.</exception>
    public static EventsSettings Load(IConfiguration configuration)
    {
        var problems = new List<string>();
        var section = configuration.GetSection(EventsSettings.SectionName);
        UnknownKeys(section, Keys, "a setting of Events", problems);
        var url = ReadUrl(section.GetSection("Url"), problems);
        var secrets = HooksSettingsLoader.ReadSecrets(configuration, problems);
        if (url is not null && secrets.Count == 0)
            problems.Add($"{section.Path}:Url: every batch of events is signed; set {HooksSettings.SectionName}:Secrets (at least {HooksSettingsLoader.MinSecretBytes} bytes each)");
        var batch = ReadInt(section.GetSection("BatchSize"), 1, MaxBatchSize, problems) ?? EventsOptions.DefaultBatchSize;
        var pending = ReadInt(section.GetSection("MaxPending"), 1, MaxPendingBound, problems) ?? EventsOptions.DefaultMaxPending;
        var timeout = ReadSeconds(section.GetSection("Timeout"), problems);
        if (timeout is { } t && (t <= TimeSpan.Zero || t > TimeSpan.FromSeconds(MaxTimeoutSeconds)))
        {
            problems.Add($"{section.Path}:Timeout=\"{section["Timeout"]}\": more than 0 and at most {MaxTimeoutSeconds} seconds");
            timeout = null;
        }
        var store = NonEmpty(section["Store"])?.ToLowerInvariant() ?? "memory";
        if (store is not ("memory" or "redis"))
            problems.Add($"{section.Path}:Store=\"{section["Store"]}\": memory or redis");
        var redis = NonEmpty(section["Redis"]);
        if (store == "redis" && RateLimiting.RateLimitPolicy.RedisConnectionProblem(redis) is { } redisProblem)
            problems.Add(redis is null
                ? $"{section.Path}:Redis: must be set with {section.Path}:Store=redis: it {redisProblem}"
                : $"{section.Path}:Redis=\"{redis}\" {redisProblem}");
        var prefix = section["Prefix"] ?? EventsSettings.DefaultPrefix;
        if (string.IsNullOrWhiteSpace(prefix))
            problems.Add($"{section.Path}:Prefix is empty: a key prefix such as {EventsSettings.DefaultPrefix}");
        return problems.Count == 0
            ? new EventsSettings(url, EventsOptions.Default with { BatchSize = batch, MaxPending = pending }, timeout ?? EventsSettings.DefaultTimeout,
                store, redis, prefix, secrets)
            : throw new SwitchboardSettingsException(problems);
    }
}

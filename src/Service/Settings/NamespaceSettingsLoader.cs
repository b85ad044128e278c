using Microsoft.Extensions.Configuration;
using Switchboard.Actors.Namespaces;
using static Switchboard.Service.Settings.ConfigurationValues;

namespace Switchboard.Service.Settings;

/// <summary>
/// Builds the node's <see cref="NamespaceTable"/> from the <c>Namespaces</c> section and its <see cref="PresenceOptions"/>
/// from <c>Presence</c> (PROTOCOL.md "Namespaces", "Presence"; docs/namespaces.md), reporting every bad value at once with
/// its path, as <see cref="Auth.AuthOptionsLoader"/> does. Read at start, and the namespaces again on each reload of the
/// configuration (<c>NamespaceReload</c>). A name the section does not know is a problem too: a mistyped option would
/// otherwise leave a namespace on its defaults without a word.
/// </summary>
public static class NamespaceSettingsLoader
{
    public const string NamespacesSection = "Namespaces";
    public const string PresenceSection = "Presence";

    public const int MaxPageSize = 10_000;
    public const int MaxLeaveDelaySeconds = 3600;
    public const int MaxEventDeliveriesPerSecond = 10_000_000;

    private static readonly string[] NamespaceKeys = ["Default", "Rules", "Strict"];
    private static readonly string[] PresenceKeys = ["PageSize", "LeaveDelay", "EventDeliveriesPerSecond"];

    // The options of one namespace, as they are spelt in configuration.
    private static readonly string[] Options =
        ["HistorySize", "HistoryTtl", "Presence", "PresenceEvents", "ClientPublish", "JoinHook", "PublishHook", "MaxMembers"];

    /// <exception cref="SwitchboardSettingsException">A value does not parse, is out of range, or a name is unknown.</exception>
    public static (NamespaceTable Namespaces, PresenceOptions Presence) Load(IConfiguration configuration)
    {
        var problems = new List<string>();
        var section = configuration.GetSection(NamespacesSection);
        UnknownKeys(section, NamespaceKeys, "a setting of Namespaces", problems);
        var @default = ReadRules(section.GetSection("Default"), problems);
        var rules = new Dictionary<string, NamespaceRules>(StringComparer.Ordinal);
        var named = section.GetSection("Rules");
        NotAValue(named, $"{named.Path}:<name>:<Option>", problems);
        foreach (var entry in named.GetChildren())
        {
            if (NamespaceTable.IsValidName(entry.Key))
                rules[entry.Key] = ReadRules(entry, problems);
            else
                problems.Add($"{entry.Path}: \"{entry.Key}\" cannot name a namespace: 1 to {NamespaceTable.MaxNameLength} of a-z, 0-9, _ and -");
        }
        var strict = ReadBool(section.GetSection("Strict"), problems) ?? false;
        var presence = ReadPresence(configuration.GetSection(PresenceSection), problems);
        return problems.Count == 0
            ? (new NamespaceTable(@default, rules, strict), presence)
            : throw new SwitchboardSettingsException(problems);
    }

    private static NamespaceRules ReadRules(IConfigurationSection section, List<string> problems)
    {
        NotAValue(section, $"{section.Path}:<Option>", problems);
        UnknownKeys(section, Options, "an option of a namespace", problems);
        var defaults = NamespaceRules.Defaults;
        var rules = new NamespaceRules(
            HistorySize: ReadInt(section.GetSection("HistorySize"), 0, int.MaxValue, problems) ?? defaults.HistorySize,
            HistoryTtl: ReadTtl(section.GetSection("HistoryTtl"), problems) ?? defaults.HistoryTtl,
            Presence: ReadBool(section.GetSection("Presence"), problems) ?? defaults.Presence,
            PresenceEvents: ReadBool(section.GetSection("PresenceEvents"), problems) ?? defaults.PresenceEvents,
            ClientPublish: ReadClientPublish(section.GetSection("ClientPublish"), problems) ?? defaults.ClientPublish,
            JoinHook: ReadBool(section.GetSection("JoinHook"), problems) ?? defaults.JoinHook,
            PublishHook: ReadBool(section.GetSection("PublishHook"), problems) ?? defaults.PublishHook,
            MaxMembers: ReadInt(section.GetSection("MaxMembers"), 0, int.MaxValue, problems) ?? defaults.MaxMembers);
        // The events tell members of changes to the list that presence keeps; without the list there is nothing to tell.
        if (rules.PresenceEvents && !rules.Presence)
            problems.Add($"{section.Path}:PresenceEvents=\"{section["PresenceEvents"]}\": needs {section.Path}:Presence on too");
        return rules;
    }

    private static PresenceOptions ReadPresence(IConfigurationSection section, List<string> problems)
    {
        UnknownKeys(section, PresenceKeys, "a setting of Presence", problems);
        var defaults = PresenceOptions.Defaults;
        var leaveDelay = ReadSeconds(section.GetSection("LeaveDelay"), problems);
        if (leaveDelay > TimeSpan.FromSeconds(MaxLeaveDelaySeconds))
            problems.Add($"{section.Path}:LeaveDelay=\"{section["LeaveDelay"]}\": more than {MaxLeaveDelaySeconds} seconds (an hour)");
        return new PresenceOptions(
            PageSize: ReadInt(section.GetSection("PageSize"), 1, MaxPageSize, problems) ?? defaults.PageSize,
            LeaveDelay: leaveDelay ?? defaults.LeaveDelay,
            EventDeliveriesPerSecond: ReadInt(section.GetSection("EventDeliveriesPerSecond"), 1, MaxEventDeliveriesPerSecond, problems)
                                      ?? defaults.EventDeliveriesPerSecond);
    }

    // As the global HistoryTtl: a kept message that is resumable for no time at all is history off, which HistorySize 0 says.
    private static TimeSpan? ReadTtl(IConfigurationSection section, List<string> problems)
    {
        var ttl = ReadSeconds(section, problems);
        if (ttl == TimeSpan.Zero)
            problems.Add($"{section.Path}=\"{section.Value}\": must be above 0 seconds (HistorySize 0 turns history off)");
        return ttl;
    }

    private static ClientPublish? ReadClientPublish(IConfigurationSection section, List<string> problems)
    {
        if (NonEmpty(section.Value) is not { } value)
            return null;
        // Spelt out rather than Enum.TryParse, which would take "1" or "Anyone, None" too.
        switch (value.ToLowerInvariant())
        {
            case "anyone":
                return ClientPublish.Anyone;
            case "members":
                return ClientPublish.Members;
            case "none":
                return ClientPublish.None;
            default:
                problems.Add($"{section.Path}=\"{value}\": not anyone, members or none");
                return null;
        }
    }

    // A section that holds options given a value of its own (Namespaces__Default=chat) most likely meant something else.
    private static void NotAValue(IConfigurationSection section, string shape, List<string> problems)
    {
        if (NonEmpty(section.Value) is { } value)
            problems.Add($"{section.Path}=\"{value}\": not a value but a section of options, {shape}");
    }
}

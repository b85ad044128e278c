using Microsoft.Extensions.Configuration;
using Switchboard.Actors.Namespaces;
using Switchboard.Service.Settings;

namespace Switchboard.Service.Tests;

/// <summary>The <c>Namespaces</c> and <c>Presence</c> sections: their defaults, a full configuration, and every bad value with its path.</summary>
public sealed class NamespaceSettingsTests
{
    private static (NamespaceTable Namespaces, PresenceOptions Presence) Load(Dictionary<string, string?> values) =>
        NamespaceSettingsLoader.Load(new ConfigurationBuilder().AddInMemoryCollection(values).Build());

    private static IReadOnlyList<string> Problems(Dictionary<string, string?> values) =>
        Assert.Throws<SwitchboardSettingsException>(() => Load(values)).Problems;

    [Fact]
    public void Without_settings_every_group_has_the_default_rules_and_presence_its_defaults()
    {
        var (namespaces, presence) = Load([]);

        Assert.Equal(NamespaceRules.Defaults, namespaces.Default);
        Assert.Empty(namespaces.Rules);
        Assert.False(namespaces.Strict);
        Assert.Equal(NamespaceTable.Empty.Fingerprint, namespaces.Fingerprint);
        Assert.Equal(new PresenceOptions(1000, TimeSpan.Zero, 20_000), presence);
    }

    [Fact]
    public void Every_option_is_read_from_its_path()
    {
        var (namespaces, presence) = Load(new()
        {
            ["Namespaces:Strict"] = "true",
            ["Namespaces:Default:ClientPublish"] = "Members",
            ["Namespaces:Default:HistorySize"] = "0",
            ["Namespaces:Rules:chat:HistorySize"] = "100",
            ["Namespaces:Rules:chat:HistoryTtl"] = "90.5",
            ["Namespaces:Rules:chat:Presence"] = "1",
            ["Namespaces:Rules:chat:PresenceEvents"] = "TRUE",
            ["Namespaces:Rules:chat:ClientPublish"] = "members",
            ["Namespaces:Rules:chat:JoinHook"] = "true",
            ["Namespaces:Rules:chat:PublishHook"] = "false",
            ["Namespaces:Rules:chat:MaxMembers"] = "500",
            ["Namespaces:Rules:feed-2_x:clientpublish"] = "NONE",
            ["Presence:PageSize"] = "50",
            ["Presence:LeaveDelay"] = "2.5",
            ["Presence:EventDeliveriesPerSecond"] = "1000",
        });

        Assert.True(namespaces.Strict);
        Assert.Equal(new NamespaceRules(HistorySize: 0, ClientPublish: ClientPublish.Members), namespaces.Default);
        Assert.Equal(new NamespaceRules(HistorySize: 100, HistoryTtl: TimeSpan.FromSeconds(90.5), Presence: true, PresenceEvents: true,
            ClientPublish: ClientPublish.Members, JoinHook: true, PublishHook: false, MaxMembers: 500), namespaces.Rules["chat"]);
        Assert.Equal(new NamespaceRules(ClientPublish: ClientPublish.None), namespaces.Rules["feed-2_x"]);
        Assert.Equal(2, namespaces.Rules.Count);
        Assert.Equal(new PresenceOptions(50, TimeSpan.FromSeconds(2.5), 1000), presence);
    }

    [Fact]
    public void A_namespace_without_options_is_configured_with_the_defaults()
    {
        // What appsettings.json's "chat": {} becomes: the key, with no value and no children.
        var (namespaces, _) = Load(new() { ["Namespaces:Rules:chat"] = null, ["Namespaces:Strict"] = "1" });

        Assert.Equal(NamespaceRules.Defaults, namespaces.Rules["chat"]);
        Assert.False(namespaces.IsUnknown("chat:room"));
        Assert.True(namespaces.IsUnknown("other:room"));
    }

    [Fact]
    public void Tables_read_from_the_same_settings_have_the_same_fingerprint_and_any_change_makes_another()
    {
        Dictionary<string, string?> settings = new() { ["Namespaces:Rules:chat:Presence"] = "true", ["Namespaces:Rules:news:MaxMembers"] = "5" };
        var first = Load(settings).Namespaces.Fingerprint;

        Assert.Equal(first, Load(new(settings)).Namespaces.Fingerprint);
        Assert.NotEqual(first, Load(new(settings) { ["Namespaces:Rules:news:MaxMembers"] = "6" }).Namespaces.Fingerprint);
        Assert.NotEqual(first, Load(new(settings) { ["Namespaces:Strict"] = "true" }).Namespaces.Fingerprint);
    }

    [Theory]
    [InlineData("Namespaces:Default:HistorySize", "-1", "not a whole number from 0 to 2147483647")]
    [InlineData("Namespaces:Rules:chat:HistorySize", "lots", "not a whole number from 0 to 2147483647")]
    [InlineData("Namespaces:Rules:chat:HistoryTtl", "0", "must be above 0 seconds (HistorySize 0 turns history off)")]
    [InlineData("Namespaces:Rules:chat:HistoryTtl", "-5", "not a number of seconds, 0 or more")]
    [InlineData("Namespaces:Rules:chat:HistoryTtl", "soon", "not a number of seconds, 0 or more")]
    [InlineData("Namespaces:Rules:chat:Presence", "yes", "not a boolean (use 1, 0, true or false)")]
    [InlineData("Namespaces:Rules:chat:ClientPublish", "everyone", "not anyone, members or none")]
    [InlineData("Namespaces:Rules:chat:ClientPublish", "1", "not anyone, members or none")]
    [InlineData("Namespaces:Rules:chat:JoinHook", "maybe", "not a boolean (use 1, 0, true or false)")]
    [InlineData("Namespaces:Rules:chat:PublishHook", "2", "not a boolean (use 1, 0, true or false)")]
    [InlineData("Namespaces:Rules:chat:MaxMembers", "-1", "not a whole number from 0 to 2147483647")]
    [InlineData("Namespaces:Rules:chat:MaxMembers", "3000000000", "not a whole number from 0 to 2147483647")]
    [InlineData("Namespaces:Strict", "strict", "not a boolean (use 1, 0, true or false)")]
    [InlineData("Presence:PageSize", "0", "not a whole number from 1 to 10000")]
    [InlineData("Presence:PageSize", "10001", "not a whole number from 1 to 10000")]
    [InlineData("Presence:LeaveDelay", "3601", "more than 3600 seconds (an hour)")]
    [InlineData("Presence:LeaveDelay", "-1", "not a number of seconds, 0 or more")]
    [InlineData("Presence:EventDeliveriesPerSecond", "0", "not a whole number from 1 to 10000000")]
    [InlineData("Presence:EventDeliveriesPerSecond", "10000001", "not a whole number from 1 to 10000000")]
    public void A_bad_value_is_named_with_its_path(string path, string value, string problem)
    {
        Assert.Equal([$"{path}=\"{value}\": {problem}"], Problems(new() { [path] = value }));
    }

    [Theory]
    [InlineData("Chat")]
    [InlineData("chat.room")]
    [InlineData("chat room")]
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456")] // 33
    public void A_namespace_name_outside_the_alphabet_or_the_length_is_refused(string name)
    {
        Assert.Equal([$"Namespaces:Rules:{name}: \"{name}\" cannot name a namespace: 1 to 32 of a-z, 0-9, _ and -"],
            Problems(new() { [$"Namespaces:Rules:{name}:Presence"] = "true" }));
    }

    [Fact]
    public void The_longest_name_is_32_characters()
    {
        Assert.Single(Load(new() { ["Namespaces:Rules:abcdefghijklmnopqrstuvwxyz012345:Presence"] = "true" }).Namespaces.Rules);
    }

    [Fact]
    public void PresenceEvents_without_Presence_is_refused_wherever_it_is()
    {
        Assert.Equal(
        [
            "Namespaces:Default:PresenceEvents=\"true\": needs Namespaces:Default:Presence on too",
            "Namespaces:Rules:chat:PresenceEvents=\"1\": needs Namespaces:Rules:chat:Presence on too",
        ], Problems(new()
        {
            ["Namespaces:Default:PresenceEvents"] = "true",
            ["Namespaces:Rules:chat:PresenceEvents"] = "1",
            ["Namespaces:Rules:chat:Presence"] = "false",
        }));
    }

    [Fact]
    public void A_name_the_sections_do_not_know_is_refused()
    {
        var problems = Problems(new()
        {
            ["Namespaces:Rules:chat:Presense"] = "true",
            ["Namespaces:Default:MaxMember"] = "5",
            ["Namespaces:Strick"] = "true",
            ["Presence:PageSise"] = "10",
        });

        const string options = "those are HistorySize, HistoryTtl, Presence, PresenceEvents, ClientPublish, JoinHook, PublishHook, MaxMembers";
        Assert.Equal(
        [
            "Namespaces:Strick: not a setting of Namespaces; those are Default, Rules, Strict",
            $"Namespaces:Default:MaxMember: not an option of a namespace; {options}",
            $"Namespaces:Rules:chat:Presense: not an option of a namespace; {options}",
            "Presence:PageSise: not a setting of Presence; those are PageSize, LeaveDelay, EventDeliveriesPerSecond",
        ], problems);
    }

    [Fact]
    public void A_value_where_a_section_of_options_belongs_is_refused()
    {
        Assert.Equal(
        [
            "Namespaces:Default=\"chat\": not a value but a section of options, Namespaces:Default:<Option>",
            "Namespaces:Rules=\"chat\": not a value but a section of options, Namespaces:Rules:<name>:<Option>",
        ], Problems(new() { ["Namespaces:Default"] = "chat", ["Namespaces:Rules"] = "chat" }));
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var problems = Problems(new()
        {
            ["Namespaces:Rules:chat:HistorySize"] = "-1",
            ["Namespaces:Rules:Bad:Presence"] = "true",
            ["Namespaces:Rules:news:ClientPublish"] = "all",
            ["Presence:PageSize"] = "0",
        });

        Assert.Equal(4, problems.Count);
    }
}

using Microsoft.Extensions.Configuration;
using Switchboard.Actors.Hooks;
using Switchboard.Service.Hooks;
using Switchboard.Service.Settings;

namespace Switchboard.Service.Tests;

/// <summary>The <c>Hooks</c> section: every bad value stops start-up, named with its path, before the host starts.</summary>
public sealed class HooksSettingsTests
{
    private const string Secret = "a-hook-secret-of-at-least-32-bytes-long";

    private static HooksSettings Load(Dictionary<string, string?> values) =>
        HooksSettingsLoader.Load(new ConfigurationBuilder().AddInMemoryCollection(values).Build(), AuthSettings.Load(values));

    private static string[] Refused(Dictionary<string, string?> values) =>
        Assert.Throws<SwitchboardSettingsException>(() => Load(values)).Problems.ToArray();

    [Fact]
    public void Without_the_section_no_hook_is_configured_and_each_has_the_default_policy()
    {
        var settings = Load([]);
        Assert.Empty(settings.Urls);
        Assert.All(HookKinds.All, k => Assert.Equal(HookPolicy.Default, settings.Options.Policy(k)));
        Assert.Empty(settings.Options.ForwardHeaders!);
        Assert.Empty(settings.Options.ForwardCookies!);
    }

    [Fact]
    public void Connect_and_refresh_settings_are_read()
    {
        var settings = Load(new()
        {
            ["Hooks:Secrets"] = Secret,
            ["Hooks:Connect:Url"] = "http://127.0.0.1:9000/hooks/connect",
            ["Hooks:Connect:Timeout"] = "0.5",
            ["Hooks:Connect:OnFailure"] = "Allow",
            ["Hooks:Connect:MaxConcurrent"] = "10",
            ["Hooks:Connect:ForwardHeaders"] = "X-Tenant, User-Agent",
            ["Hooks:Connect:ForwardCookies:0"] = "session",
            ["Auth:AllowedOrigins"] = "https://app.example.com",
            ["Hooks:Refresh:Url"] = "https://backend.example.com/refresh",
        });
        Assert.Equal(new HookPolicy(TimeSpan.FromMilliseconds(500), HookFailure.Allow, 10), settings.Options.Policy(HookKind.Connect));
        Assert.Equal(HookPolicy.Default, settings.Options.Policy(HookKind.Refresh));
        Assert.Equal(["X-Tenant", "User-Agent"], settings.Options.ForwardHeaders!);
        Assert.Equal(["session"], settings.Options.ForwardCookies!);
        Assert.Equal(new Uri("https://backend.example.com/refresh"), settings.Urls[HookKind.Refresh]);
    }

    [Fact]
    public void Forwarded_cookies_without_allowed_origins_stop_start_up_with_one_clear_message()
    {
        var problem = Assert.Single(Refused(new() { ["Hooks:Connect:ForwardCookies"] = "session" }));
        Assert.Equal("Hooks:Connect:ForwardCookies: needs Auth:AllowedOrigins, or any web page could open a socket as its visitor", problem);
    }

    [Fact]
    public void A_hook_url_without_a_secret_stops_start_up()
    {
        var problem = Assert.Single(Refused(new() { ["Hooks:Connect:Url"] = "http://127.0.0.1:9000/connect" }));
        Assert.StartsWith("Hooks:Connect:Url: a hook's calls are signed; set Hooks:Secrets", problem);
    }

    [Theory]
    [InlineData("Hooks:Connect:Url", "ftp://backend/connect")]
    [InlineData("Hooks:Connect:Url", "http://user:pass@backend/connect")]
    [InlineData("Hooks:Connect:Url", "/connect")]
    [InlineData("Hooks:Refresh:Timeout", "0")]
    [InlineData("Hooks:Refresh:Timeout", "61")]
    [InlineData("Hooks:Refresh:Timeout", "soon")]
    [InlineData("Hooks:Refresh:OnFailure", "retry")]
    [InlineData("Hooks:Connect:MaxConcurrent", "0")]
    [InlineData("Hooks:Connect:MaxConcurrent", "many")]
    [InlineData("Hooks:Connect:ForwardHeaders", "X Tenant")]
    [InlineData("Hooks:Connect:ForwardHeaders", "X-Tenant:")]
    [InlineData("Hooks:Connect:Forwardheader", "X-Tenant")]
    public void A_bad_value_stops_start_up_naming_its_path(string key, string value)
    {
        var problem = Assert.Single(Refused(new() { ["Hooks:Secrets"] = Secret, [key] = value }));
        Assert.StartsWith(key, problem, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_mistyped_hook_stops_start_up_naming_it()
    {
        var problem = Assert.Single(Refused(new() { ["Hooks:Secrets"] = Secret, ["Hooks:Conect:Url"] = "http://127.0.0.1:9000/connect" }));
        Assert.StartsWith("Hooks:Conect: not a setting of Hooks", problem);
    }

    [Fact]
    public void A_short_secret_stops_start_up_without_showing_it()
    {
        var problem = Assert.Single(Refused(new() { ["Hooks:Secrets"] = "short-secret" }));
        Assert.Contains("needs at least 32", problem);
        Assert.DoesNotContain("short-secret", problem);
    }

    [Fact]
    public void Every_bad_value_is_reported_at_once()
    {
        var problems = Refused(new()
        {
            ["Hooks:Connect:Url"] = "http://127.0.0.1:9000/connect",
            ["Hooks:Connect:Timeout"] = "-1",
            ["Hooks:Refresh:OnFailure"] = "maybe",
            ["Hooks:Connect:ForwardCookies"] = "session",
        });
        Assert.Equal(4, problems.Length);
    }
}

using Switchboard.Service.Auth;
using Switchboard.Service.Settings;

namespace Switchboard.Service.Tests;

/// <summary><c>Auth:AllowedOrigins</c>: exact <c>scheme://host[:port]</c> strings, checked before the host starts.</summary>
public sealed class OriginSettingsTests
{
    private static AuthOptions Load(Dictionary<string, string?> values) => AuthSettings.Load(values);

    private static SwitchboardSettingsException Refused(Dictionary<string, string?> values) => AuthSettings.Refused(values);

    [Fact]
    public void Without_the_setting_no_origin_is_refused() => Assert.Empty(Load([]).AllowedOrigins);

    [Fact]
    public void Origins_are_children_or_one_comma_separated_value()
    {
        Assert.Equal(["http://localhost:3000", "https://app.example.com"], Load(new()
        {
            ["Auth:AllowedOrigins:0"] = "http://localhost:3000",
            ["Auth:AllowedOrigins:1"] = "https://app.example.com",
        }).AllowedOrigins);
        // Auth__AllowedOrigins as one environment variable.
        Assert.Equal(["http://localhost:3000", "https://app.example.com"],
            Load(new() { ["Auth:AllowedOrigins"] = " http://localhost:3000 , https://app.example.com," }).AllowedOrigins);
    }

    [Theory]
    [InlineData("http://localhost:3000")]
    [InlineData("https://app.example.com")]
    [InlineData("http://127.0.0.1:8080")]
    [InlineData("https://[::1]:8443")]
    [InlineData("HTTPS://App.Example.com")]
    public void An_origin_is_a_scheme_a_host_and_maybe_a_port(string origin) =>
        Assert.Equal([origin], Load(new() { ["Auth:AllowedOrigins:0"] = origin }).AllowedOrigins);

    [Theory]
    [InlineData("https://app.example.com/")]
    [InlineData("https://app.example.com/chat")]
    [InlineData("https://app.example.com?x=1")]
    [InlineData("ftp://app.example.com")]
    [InlineData("ws://app.example.com")]
    [InlineData("app.example.com")]
    [InlineData("*")]
    [InlineData("http://user@app.example.com")]
    public void A_bad_origin_stops_start_up_naming_it(string origin)
    {
        var problem = Assert.Single(Refused(new() { ["Auth:AllowedOrigins:0"] = origin }).Problems);
        Assert.StartsWith($"Auth:AllowedOrigins=\"{origin}\": ", problem);
    }

    [Theory]
    [InlineData("http://app.example.com:80")]
    [InlineData("https://app.example.com:443")]
    public void A_default_port_is_named_as_such(string origin) =>
        Assert.Contains("without its default port", Assert.Single(Refused(new() { ["Auth:AllowedOrigins:0"] = origin }).Problems));

    [Fact]
    public void Every_bad_origin_is_named_in_one_message()
    {
        var refused = Refused(new() { ["Auth:AllowedOrigins"] = "https://ok.example, https://a.example/, file://b, https://ok2.example:444" });
        Assert.Equal(2, refused.Problems.Count);
        Assert.Contains("\"https://a.example/\"", refused.Message);
        Assert.Contains("\"file://b\"", refused.Message);
        Assert.DoesNotContain("ok.example", refused.Message);
    }
}

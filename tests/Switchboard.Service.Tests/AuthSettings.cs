using Microsoft.Extensions.Configuration;
using Switchboard.Service.Auth;
using Switchboard.Service.Settings;

namespace Switchboard.Service.Tests;

/// <summary>The <c>Auth</c> section loaded from in-memory configuration, as the settings tests need it.</summary>
internal static class AuthSettings
{
    public static AuthOptions Load(Dictionary<string, string?> values) =>
        AuthOptionsLoader.Load(new ConfigurationBuilder().AddInMemoryCollection(values).Build());

    public static SwitchboardSettingsException Refused(Dictionary<string, string?> values) =>
        Assert.Throws<SwitchboardSettingsException>(() => Load(values));
}

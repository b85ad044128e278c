using Microsoft.Extensions.Configuration;
using Switchboard.Service.Auth;
using Switchboard.Service.Events;
using Switchboard.Service.Hooks;
using Switchboard.Service.Metrics;
using Switchboard.Service.RateLimiting;
using Switchboard.Service.Remoting;

namespace Switchboard.Service.Settings;

/// <summary>
/// Every settings loader of the standalone service, run before the host starts so that an operator sees one message
/// with every section's problems rather than a host failure trace. A loader added here is checked at start, and what
/// it reads counts as read by the service (the deployment tests hold deploy/ and docker/ to that).
/// </summary>
public static class ServiceSettings
{
    /// <summary>The problems of every section, in one list: empty when the service may start.</summary>
    public static IReadOnlyList<string> Problems(IConfiguration configuration)
    {
        var problems = new List<string>();
        AuthOptions? auth = null;
        SwitchboardOptions? hub = null;
        foreach (var check in new Action[]
                 {
                     () => hub = SwitchboardOptionsLoader.Load(configuration),
                     () => auth = AuthOptionsLoader.Load(configuration),
                     // Hooks:Connect:ForwardCookies needs Auth:AllowedOrigins: checked once the Auth section has loaded.
                     () => _ = auth is null ? null : HooksSettingsLoader.Load(configuration, auth),
                     () => EventsSettingsLoader.Load(configuration),
                     () => MetricsOptionsLoader.Load(configuration),
                     // The seeds' protocol is checked against TLS once the hub's settings have loaded.
                     () => ClusterTlsSettingsLoader.Load(configuration, hub?.ClusterSeeds ?? []),
                     () => NamespaceSettingsLoader.Load(configuration),
                     () => RateLimitPolicy.From(configuration.GetSection(RateLimiterOptions.SectionName).Get<RateLimiterOptions>() ?? new()),
                 })
        {
            try
            {
                check();
            }
            catch (SwitchboardSettingsException e)
            {
                problems.AddRange(e.Problems);
            }
            catch (FormatException e)
            {
                problems.Add(e.Message);
            }
        }
        return problems;
    }
}

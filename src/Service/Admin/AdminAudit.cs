using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Switchboard.Service.Auth;

namespace Switchboard.Service.Admin;

/// <summary>
/// The audit trail: one line per state-changing call, logged by the node that carried it out, in one form an operator
/// can grep: <c>Audit: &lt;action&gt; by &lt;key name&gt; target &lt;target&gt;: &lt;outcome&gt;</c>. The key's name, never the key.
/// Actors that carry out a forwarded action (a kick, a drain, a rate limit update) log the same form themselves.
/// </summary>
public static class AdminAudit
{
    public const string Category = "Switchboard.Audit";

    /// <summary>The name of the key that made the call; <c>loopback</c> in protected mode.</summary>
    public static string CallerOf(HttpContext http) => http.Features.Get<ApiCaller>()?.Name ?? "unknown";

    public static void Log(HttpContext http, string action, string target, string outcome) =>
        Log(http.RequestServices.GetRequiredService<ILoggerFactory>(), action, CallerOf(http), target, outcome);

    public static void Log(ILoggerFactory loggers, string action, string by, string target, string outcome) =>
        loggers.CreateLogger(Category).LogInformation("Audit: {Action} by {Caller} target {Target}: {Outcome}", action, by, target, outcome);
}

namespace Switchboard.Service.RateLimiting;

/// <summary>
/// Endpoint metadata: requests to the endpoint are not limited by the global rate (<c>RateLimiter:Rate</c>), only by a
/// <c>PerRouteRates</c> entry naming their path. The hub's health probes and admin API carry it, so that a mistaken
/// global rate can neither fail the probes nor lock out the operator who would set it back. Routing must run before
/// the limiter to find it, as it does in a WebApplication that does not call <c>UseRouting</c> itself.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method)]
public sealed class ExemptFromGlobalRateAttribute : Attribute;
